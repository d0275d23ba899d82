"""The multi-process deployment (api, conductor, scheduler, two computes)
over the AMQP 1.0 transport, on RabbitMQ's rabbitmq_amqp1_0 plugin.

The boot test has the assertions of the RabbitMQ 0-9-1 one
(``tests/integration/kernel/test_multiprocess.py``): 20 servers ACTIVE,
spread over both computes, deleted, nothing left. The restart test runs
on a private RabbitMQ node and kills it while servers are booting.
"""

import collections
import concurrent.futures
import re
import threading
import time

import pytest

from tests import real
from tests.integration.kernel.test_multiprocess import (
    DEMO_IMAGE,
    HOSTS,
    _all_active,
    _assert_no_allocations,
    _boot_many,
    _computes_up,
    _seed_image,
)
from tests.integration.procs import Deployment, wait_until
from tests.rabbit_node import private_rabbit

pytestmark = pytest.mark.real

SERVICES = ("conductor", "scheduler", *HOSTS, "api")
CONNECTED = "connected to AMQP 1.0 broker"


def _start(dep):
    dep.manage("db", "sync")
    dep.manage("db", "seed")
    _seed_image(dep)
    dep.start("conductor", "nimbus-conductor")
    dep.start("scheduler", "nimbus-scheduler")
    for host in HOSTS:
        dep.start_compute(host)
    dep.start("api", "nimbus-api")
    dep.wait_api()


@pytest.fixture(params=[("qpid", "postgresql"), ("amqp1", "mariadb")],
                ids=["qpid-postgresql", "amqp1-mariadb"])
def deployment(request, tmp_path):
    scheme, database = request.param
    with real.rabbit_vhost() as (_url, vhost), \
            real.database(database) as db_url:
        url = f"{scheme}://guest:guest@127.0.0.1:5672/{vhost}"
        dep = Deployment(tmp_path, url, db_url)
        try:
            _start(dep)
            yield dep
        finally:
            dep.stop_all()


def test_boot_twenty_spread_and_delete(deployment):
    conn = deployment.sdk()
    wait_until(lambda: _computes_up(conn), 60, message="computes up")
    wait_until(lambda: len(list(conn.compute.hypervisors())) == 2, 60,
               message="both hypervisors reported")
    ids = _boot_many(conn, 20)
    servers = wait_until(lambda: _all_active(conn, ids), 120,
                         message="20 servers ACTIVE")
    per_host = collections.Counter(s.compute_host for s in servers)
    assert set(per_host) == set(HOSTS), per_host

    for server_id in ids:
        conn.compute.delete_server(server_id)
    wait_until(lambda: not list(conn.compute.servers()), 120,
               message="all servers deleted")
    # the usage figures left the hypervisor bodies at 2.88
    nodes = conn.compute.get(
        "/os-hypervisors/detail",
        headers={"OpenStack-API-Version": "compute 2.87"}).json()
    assert len(nodes["hypervisors"]) == len(HOSTS)
    for node in nodes["hypervisors"]:
        assert node["running_vms"] == 0
        assert node["vcpus_used"] == 0
        assert node["memory_mb_used"] == 0
    _assert_no_allocations(deployment)
    # Every service really talked AMQP 1.0.
    for name in SERVICES:
        assert CONNECTED in deployment.log(name), name


def _connects(dep, name):
    return len(re.findall(CONNECTED, dep.log(name)))


def _settled(conn, ids, unsettled):
    """Every server ACTIVE, or in ERROR with a fault; None otherwise.

    ``unsettled`` is refilled with the rest (id, status, task state,
    host) so that a timeout can say which boots hung where."""
    servers = [conn.compute.get_server(i) for i in ids]
    unsettled[:] = [(s.id, s.status, s.task_state, s.compute_host)
                    for s in servers if s.status not in ("ACTIVE", "ERROR")]
    return None if unsettled else servers


def test_broker_restart_while_booting(tmp_path):
    with private_rabbit() as node, \
            real.database("postgresql") as db_url:
        # A boot whose message the dying broker took with it stays in
        # `scheduling` until the conductor's sweep settles it (ERROR with
        # a fault): a minute here rather than the default ten.
        dep = Deployment(tmp_path, f"qpid://{node.url}", db_url,
                         extra={"DEFAULT": {"rpc_response_timeout": 20},
                                "conductor": {
                                    "task_state_timeout": 60,
                                    "task_state_check_interval": 5}})
        try:
            _start(dep)
            conn = dep.sdk()
            wait_until(lambda: _computes_up(conn), 60, message="computes up")
            before = {name: _connects(dep, name) for name in SERVICES}

            accepted, refused = [], []
            lock = threading.Lock()

            def boot(i):
                try:
                    server = conn.compute.create_server(
                        name=f"rs-{i}", image_id=DEMO_IMAGE, flavor_id="1",
                        networks="none")
                except Exception as exc:  # refused: not an accepted boot
                    with lock:
                        refused.append(repr(exc))
                    return
                with lock:
                    accepted.append(server.id)

            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                futures = [pool.submit(boot, i) for i in range(6)]
                time.sleep(0.5)
                node.kill()          # the broker dies mid-boot
                futures += [pool.submit(boot, i) for i in range(6, 12)]
                time.sleep(2)
                node.start()
                restarted = time.monotonic()
                # Every service reconnects by itself within 30 s.
                for name in SERVICES:
                    wait_until(lambda n=name: _connects(dep, n) > before[n],
                               30 - (time.monotonic() - restarted),
                               message=f"{name} reconnected")
                for future in futures:
                    future.result(timeout=120)
            reconnected_in = time.monotonic() - restarted

            assert accepted, refused
            unsettled = []
            try:
                servers = wait_until(
                    lambda: _settled(conn, accepted, unsettled), 180,
                    message="every accepted boot settled")
            except AssertionError:
                for name in SERVICES:
                    print(f"--- {name} log (tail)\n"
                          + "\n".join(dep.log(name).splitlines()[-60:]))
                raise AssertionError(f"unsettled boots: {unsettled}")
            for server in servers:
                if server.status == "ERROR":
                    assert server.fault and server.fault.get("message"), \
                        server.id
            # And the deployment works normally afterwards.
            wait_until(lambda: _computes_up(conn), 30,
                       message="computes up after the restart")
            more = _boot_many(conn, 2)
            wait_until(lambda: _all_active(conn, more), 60,
                       message="boots after the restart")
            print(f"reconnected in {reconnected_in:.1f} s; "
                  f"{collections.Counter(s.status for s in servers)}; "
                  f"{len(refused)} refused")
        finally:
            dep.stop_all()
