"""Database and broker outages: api, conductor, scheduler and a compute
as separate processes over a private PostgreSQL and a private RabbitMQ
node, which the tests stop and start again under them.

While a backend is down a request gets 503 with ``Retry-After`` in its
dialect's fault format, quickly; once it is back requests succeed and
servers build, without restarting any nimbus process.
"""

import concurrent.futures
import threading
import time

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests import pg_node, rabbit_node
from tests.conftest import free_port
from tests.integration.kernel.test_multiprocess import DEMO_IMAGE, _seed_image
from tests.integration.procs import Deployment, wait_until

pytestmark = pytest.mark.real

HOST = "cmp-outage"
TOKEN = {"X-Auth-Token": "admin:admin"}
#: well under the clients' own request timeouts: an outage must never
#: look like a hang.
QUICK = 20
RECOVERY = 30


@pytest.fixture(scope="module")
def backends():
    with pg_node.private_postgres() as pg, \
            rabbit_node.private_rabbit() as rabbit:
        yield pg, rabbit


@pytest.fixture(scope="module")
def deployment(backends, tmp_path_factory):
    pg, rabbit = backends
    dep = Deployment(
        tmp_path_factory.mktemp("outage"), "rabbit://" + rabbit.url, pg.url,
        # Durable queues outlive the broker's restart, so a cast sent
        # before a service has reconnected waits in its queue instead of
        # being dropped; reconnect within seconds, not up to the default
        # 30 s back-off.
        extra={"oslo_messaging_rabbit": {"amqp_durable_queues": True,
                                         "rabbit_interval_max": 2},
               "api": {"retry_after": 7,
                       "enabled_dialects": "openstack,identity,image,"
                                           "network,volume,ec2"},
               "ec2": {"bind_port": free_port()},
               # A message the dying broker took with it leaves its boot
               # to the task-state deadline: short here, 600 s by default.
               "conductor": {"task_state_timeout": 20,
                             "task_state_check_interval": 2}})
    try:
        dep.manage("db", "sync")
        dep.manage("db", "seed")
        _seed_image(dep)
        dep.start("conductor", "nimbus-conductor")
        dep.start("scheduler", "nimbus-scheduler")
        dep.start_compute(HOST)
        dep.start("api", "nimbus-api")
        dep.wait_api()
        wait_until(lambda: _compute_up(dep), 90, message="compute up")
        yield dep
    finally:
        dep.stop_all()


def _get(dep, path, timeout=60):
    return requests.get(dep.url + path, headers=TOKEN, timeout=timeout)


def _compute_up(dep):
    try:
        reply = _get(dep, "/v2.1/os-services", timeout=10)
    except requests.RequestException:
        return False
    return reply.status_code == 200 and any(
        s["host"] == HOST and s["state"] == "up"
        for s in reply.json()["services"])


def _boot(dep, name, timeout=60):
    return requests.post(
        dep.url + "/v2.1/servers", headers=TOKEN, timeout=timeout,
        json={"server": {"name": name, "imageRef": DEMO_IMAGE,
                         "flavorRef": "1"}})


def _status(dep, server_id):
    reply = _get(dep, f"/v2.1/servers/{server_id}", timeout=10)
    if reply.status_code != 200:
        return None
    server = reply.json()["server"]
    assert server["status"] != "ERROR", (server["name"], server.get("fault"))
    return server["status"]


def _boots_active(dep, name):
    """Boot ``name`` (after any 503 while things reconnect) and wait
    until it is ACTIVE; return its id."""
    def accepted():
        reply = _boot(dep, name)
        if reply.status_code == 503:
            return None
        assert reply.status_code == 202, reply.text
        return reply.json()["server"]["id"]
    server_id = wait_until(accepted, RECOVERY, interval=1,
                           message=f"{name} accepted")
    wait_until(lambda: _status(dep, server_id) == "ACTIVE", RECOVERY,
               interval=0.5, message=f"{name} ACTIVE")
    return server_id


def _assert_unavailable(reply, started, key):
    took = time.monotonic() - started
    assert reply.status_code == 503, (reply.status_code, reply.text)
    assert reply.headers["Retry-After"] == "7"
    assert took < QUICK, f"503 took {took:.1f}s"
    body = reply.json()
    assert key in body, body
    return body


def _ec2_error(dep):
    """DescribeInstances signed with a key nimbus must look up; return
    the error botocore parsed (a live database says AuthFailure)."""
    client = boto3.client(
        "ec2", endpoint_url=dep.url + "/services/Cloud",
        region_name="RegionOne", aws_access_key_id="AKIAOUTAGETEST",
        aws_secret_access_key="not-a-secret",
        config=Config(retries={"total_max_attempts": 1},
                      read_timeout=60))
    with pytest.raises(ClientError) as caught:
        client.describe_instances()
    return caught.value.response


def _server_names(dep):
    reply = _get(dep, "/v2.1/servers")
    assert reply.status_code == 200, reply.text
    return {s["name"] for s in reply.json()["servers"]}


def _missed_beats(dep, name):
    return dep.log(name).count("Heartbeat of nimbus-")


def _assert_all_running(dep):
    dead = {n: p.returncode for n, p in dep.procs.items()
            if p.poll() is not None}
    assert not dead, (dead, {n: dep.log(n)[-3000:] for n in dead})


def test_database_outage_answers_503_then_recovers(deployment, backends):
    pg, _rabbit = backends
    assert _get(deployment, "/v2.1/servers").status_code == 200
    assert _ec2_error(deployment)["Error"]["Code"] == "AuthFailure"
    missed = {name: _missed_beats(deployment, name)
              for name in ("conductor", "scheduler")}
    pg.stop()
    try:
        # The services notice too (a heartbeat fails) and keep running.
        for name, before in missed.items():
            wait_until(lambda n=name, b=before:
                       _missed_beats(deployment, n) > b, RECOVERY,
                       message=f"{name} missing a heartbeat")
        started = time.monotonic()
        body = _assert_unavailable(_get(deployment, "/v2.1/servers"),
                                   started, "serviceUnavailable")
        assert body["serviceUnavailable"]["code"] == 503
        assert "database" in body["serviceUnavailable"]["message"]
        # Other dialects: the same 503 in their own error bodies.
        started = time.monotonic()
        body = _assert_unavailable(
            _get(deployment, "/network/v2.0/networks"), started,
            "NeutronError")
        assert body["NeutronError"]["type"]
        started = time.monotonic()
        _assert_unavailable(
            _get(deployment, "/volume/v3/volumes"), started,
            "serviceUnavailable")
        started = time.monotonic()
        _assert_unavailable(_boot(deployment, "vm-db-down"), started,
                            "serviceUnavailable")
        # EC2: ServiceUnavailable error XML, 503.
        started = time.monotonic()
        error = _ec2_error(deployment)
        assert error["Error"]["Code"] == "ServiceUnavailable", error
        meta = error["ResponseMetadata"]
        assert meta["HTTPStatusCode"] == 503
        assert meta["HTTPHeaders"]["retry-after"] == "7"
        assert time.monotonic() - started < QUICK
    finally:
        pg.start()
    wait_until(lambda: _get(deployment, "/v2.1/servers",
                            timeout=10).status_code == 200,
               RECOVERY, interval=0.5, message="GET /servers 200 again")
    # The compute's heartbeats failed meanwhile: the scheduler counts it
    # again once one lands (a boot before that would find no host).
    wait_until(lambda: _compute_up(deployment), RECOVERY, interval=0.5,
               message="compute up again")
    _boots_active(deployment, "vm-after-db")
    _assert_all_running(deployment)


def test_broker_outage_refuses_boot_then_recovers(deployment, backends):
    _pg, rabbit = backends
    _boots_active(deployment, "vm-before-broker")
    rabbit.kill()
    try:
        # Reads need only the database: they keep working.
        assert _get(deployment, "/v2.1/servers").status_code == 200
        started = time.monotonic()
        body = _assert_unavailable(_boot(deployment, "vm-broker-down"),
                                   started, "serviceUnavailable")
        assert "message broker" in body["serviceUnavailable"]["message"]
        # Refused means refused: nothing was left recorded.
        assert "vm-broker-down" not in _server_names(deployment)
    finally:
        rabbit.start()
    # The compute's heartbeats travel over the broker too: once one lands
    # again the scheduler counts it (a boot before that finds no host).
    wait_until(lambda: _compute_up(deployment), RECOVERY, interval=0.5,
               message="compute up again")
    _boots_active(deployment, "vm-after-broker")
    _assert_all_running(deployment)


BURST = 50


def _burst_across(dep, prefix, outage):
    """Send ``BURST`` boots from four threads; once ten are accepted run
    ``outage()`` (a backend down and up again) while the rest keep
    coming. Return the ids of the accepted boots."""
    accepted, lock = [], threading.Lock()

    def boot(index):
        try:
            reply = _boot(dep, f"{prefix}-{index}", timeout=60)
        except requests.RequestException:
            return
        if reply.status_code == 202:
            with lock:
                accepted.append(reply.json()["server"]["id"])
        else:
            # Refused during the outage: a clear 503, nothing recorded.
            assert reply.status_code == 503, (reply.status_code, reply.text)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(boot, i) for i in range(BURST)]
        wait_until(lambda: len(accepted) >= 10, RECOVERY,
                   message="ten boots accepted")
        outage()
        for future in futures:
            future.result()
    return accepted


def _settled(dep, accepted):
    """Every accepted boot ACTIVE, or ERROR with a fault; none pending."""
    reply = _get(dep, "/v2.1/servers/detail", timeout=10)
    if reply.status_code != 200:
        return False
    servers = {s["id"]: s for s in reply.json()["servers"]}
    for uuid in accepted:
        server = servers.get(uuid)
        if server is None or server["OS-EXT-STS:task_state"] is not None:
            return False
        if server["status"] == "ERROR":
            assert server["fault"]["message"], server
        elif server["status"] != "ACTIVE":
            return False
    return True


@pytest.mark.parametrize("backend", ["rabbitmq", "postgresql"])
def test_backend_restarted_during_a_burst_of_boots(deployment, backends,
                                                   backend):
    pg, rabbit = backends
    wait_until(lambda: _compute_up(deployment), RECOVERY, interval=0.5,
               message="compute up")

    def outage():
        if backend == "rabbitmq":
            rabbit.kill()
            time.sleep(2)
            rabbit.start()
        else:
            pg.stop()
            time.sleep(2)
            pg.start()

    started = time.monotonic()
    accepted = _burst_across(deployment, f"burst-{backend}", outage)
    try:
        wait_until(lambda: _settled(deployment, accepted), 120, interval=1,
                   message=f"every boot accepted around the {backend} "
                           f"restart settled")
    except AssertionError:
        servers = _get(deployment, "/v2.1/servers/detail").json()["servers"]
        stuck = [(s["id"], s["status"], s["OS-EXT-STS:task_state"])
                 for s in servers if s["id"] in accepted
                 and (s["status"] not in ("ACTIVE", "ERROR")
                      or s["OS-EXT-STS:task_state"])]
        raise AssertionError(f"not settled: {stuck}\n" + "\n".join(
            f"--- {name}\n{deployment.log(name)[-3000:]}"
            for name in deployment.procs)) from None
    took = time.monotonic() - started
    servers = {s["id"]: s for s in _get(
        deployment, "/v2.1/servers/detail").json()["servers"]}
    active = sum(servers[u]["status"] == "ACTIVE" for u in accepted)
    print(f"{backend} restarted during {BURST} boots: {len(accepted)} "
          f"accepted, {active} ACTIVE, {len(accepted) - active} ERROR, "
          f"all settled {took:.1f}s after the burst began")
    # Every service rode it out without a restart, and boots work again.
    _assert_all_running(deployment)
    wait_until(lambda: _compute_up(deployment), RECOVERY, interval=0.5,
               message="compute up again")
    _boots_active(deployment, f"vm-after-{backend}-burst")
