"""Work interrupted for real: the compute process is SIGKILLed in the
middle of a delete and of a build (the fake hypervisor's ``[fake]
latency`` holds it there), restarted, and the work is settled with no
manual reset. api, conductor, scheduler and compute are separate OS
processes over real RabbitMQ and PostgreSQL, driven with openstacksdk."""

import json
import time

import pytest
import sqlalchemy

from tests import real
from tests.integration.procs import Deployment, wait_until

IMAGE = "a0d1c0de-0000-4000-8000-000000000002"
HOST = "cmp-rec"
SETTLE = 60   # seconds a restarted compute has to settle the work
pytestmark = pytest.mark.real


@pytest.fixture
def deploy(tmp_path):
    """Start the deployment with ``extra`` config for every process and
    the compute hanging in ``hang``; stop every process, even on
    failure."""
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database("postgresql") as db_url:
        dep = Deployment(tmp_path, transport_url, db_url)

        def start(hang, extra=None):
            dep.extra = extra or {}
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor")
            dep.start("scheduler", "nimbus-scheduler")
            dep.start_compute(HOST, extra=_latency(hang))
            dep.start("api", "nimbus-api")
            dep.wait_api()
            return dep
        try:
            yield start
        finally:
            dep.stop_all()


def _latency(operation):
    """Config making the fake ``operation`` hang far beyond the test."""
    return {"fake": {"latency": f"{operation}:600"}}


def _seed_image(dep):
    from nimbus.core.interfaces import images
    record = images.new_record({"id": IMAGE, "name": "recovery"})
    record.update(status="active", size=4)
    store = dep.state_path / "images"
    store.mkdir(parents=True, exist_ok=True)
    (store / f"{IMAGE}.json").write_text(json.dumps(record))
    (store / f"{IMAGE}.data").write_bytes(b"demo")


def _allocations(dep, uuid):
    engine = sqlalchemy.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sqlalchemy.text(
                "SELECT count(*) FROM allocations "
                "WHERE consumer_uuid = :uuid"), {"uuid": uuid}).scalar()
    finally:
        engine.dispose()


def _compute_up(conn):
    """The compute heartbeats and has reported its inventory: a service
    is up from its first heartbeat, a moment before its first resource
    report, and a boot in that moment finds no host (seen under load)."""
    return any(s.host == HOST and s.state == "up"
               for s in conn.compute.services()
               if s.binary == "nova-compute") and any(
        h.name == HOST for h in conn.compute.hypervisors())


def _status(conn, server_id):
    server = conn.compute.find_server(server_id, ignore_missing=True)
    return server.status if server is not None else None


def _kill_while(dep, log_line):
    """SIGKILL the compute once its log shows ``log_line`` (it is then
    inside the hanging operation)."""
    wait_until(lambda: log_line in dep.log(HOST), 60,
               message=f"compute to log {log_line!r}")
    dep.kill(HOST)


def test_killed_compute_settles_its_work_on_restart(deploy):
    deployment = deploy("destroy")
    conn = deployment.sdk()
    wait_until(lambda: _compute_up(conn), 60, message="compute up")

    # A delete interrupted mid-destroy finishes after the restart.
    doomed = conn.compute.create_server(name="rec-doomed", image_id=IMAGE,
                                        flavor_id="1", networks="none").id
    wait_until(lambda: _status(conn, doomed) == "ACTIVE", 60,
               message="server ACTIVE")
    conn.compute.delete_server(doomed)
    _kill_while(deployment, f"Fake destroy on {HOST}: waiting")
    assert conn.compute.get_server(doomed).task_state == "deleting"
    assert _allocations(deployment, doomed) == 1
    started = time.monotonic()
    deployment.start_compute(HOST, extra=_latency("spawn"))
    wait_until(lambda: _status(conn, doomed) is None, SETTLE,
               message="interrupted delete finished")
    delete_settled = time.monotonic() - started
    assert _allocations(deployment, doomed) == 0

    # A build interrupted mid-spawn ends in ERROR with a fault saying
    # why, its claim given back.
    wait_until(lambda: _compute_up(conn), 60, message="compute up again")
    built = conn.compute.create_server(name="rec-built", image_id=IMAGE,
                                       flavor_id="1", networks="none").id
    _kill_while(deployment, f"Fake spawn on {HOST}: waiting")
    server = conn.compute.get_server(built)
    assert (server.status, server.task_state) == ("BUILD", "spawning")
    assert _allocations(deployment, built) == 1
    started = time.monotonic()
    deployment.start_compute(HOST)
    wait_until(lambda: _status(conn, built) == "ERROR", SETTLE,
               message="interrupted build in ERROR")
    build_settled = time.monotonic() - started
    server = conn.compute.get_server(built)
    assert server.task_state is None
    assert "build interrupted by a restart of the compute service" in \
        server.fault["message"]
    assert _allocations(deployment, built) == 0
    print(f"settled after restart: delete {delete_settled:.1f}s, "
          f"build {build_settled:.1f}s")


def test_conductor_fails_a_build_whose_compute_stays_dead(deploy):
    """No restart: conductor's sweep finds the build past its deadline on
    a host that stopped heartbeating."""
    deployment = deploy("spawn", extra={"conductor": {
        "task_state_timeout": 5, "task_state_check_interval": 1}})
    conn = deployment.sdk()
    wait_until(lambda: _compute_up(conn), 60, message="compute up")
    built = conn.compute.create_server(name="rec-orphan", image_id=IMAGE,
                                       flavor_id="1", networks="none").id
    _kill_while(deployment, f"Fake spawn on {HOST}: waiting")
    started = time.monotonic()
    # service_down_time (6 s) + task_state_timeout (5 s) + one interval.
    wait_until(lambda: _status(conn, built) == "ERROR", SETTLE,
               message="abandoned build in ERROR")
    settled = time.monotonic() - started
    server = conn.compute.get_server(built)
    assert server.task_state is None
    assert f"spawning on host {HOST}" in server.fault["message"]
    assert "compute service there is down" in server.fault["message"]
    assert _allocations(deployment, built) == 0
    print(f"conductor settled the abandoned build in {settled:.1f}s")
