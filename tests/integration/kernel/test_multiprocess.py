"""api, conductor, scheduler and two computes as separate OS processes,
over real RabbitMQ and a real database (PostgreSQL, then MariaDB),
driven with openstacksdk."""

import collections
import concurrent.futures

import pytest

from tests import real
from tests.integration.procs import Deployment, wait_until

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
HOSTS = ("cmp-a", "cmp-b")
pytestmark = pytest.mark.real


@pytest.fixture(params=["postgresql", "mariadb"])
def deployment(request, tmp_path):
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database(request.param) as db_url:
        dep = Deployment(tmp_path, transport_url, db_url)
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor")
            dep.start("scheduler", "nimbus-scheduler")
            for host in HOSTS:
                dep.start_compute(host)
            dep.start("api", "nimbus-api")
            dep.wait_api()
            yield dep
        finally:
            dep.stop_all()


def _seed_image(dep):
    from nimbus.core.interfaces import images
    record = images.new_record({"id": DEMO_IMAGE, "name": "demo"})
    record.update(status="active", size=4)
    store = dep.state_path / "images"
    store.mkdir(parents=True, exist_ok=True)
    import json
    (store / f"{DEMO_IMAGE}.json").write_text(json.dumps(record))
    (store / f"{DEMO_IMAGE}.data").write_bytes(b"demo")


def _computes_up(conn):
    states = {s.host: s.state for s in conn.compute.services()
              if s.binary == "nova-compute"}
    return states if all(states.get(h) == "up" for h in HOSTS) else None


def _boot_many(conn, count):
    def boot(i):
        return conn.compute.create_server(
            name=f"vm-{i}", image_id=DEMO_IMAGE, flavor_id="1",
            networks="none").id
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(boot, range(count)))


def _all_active(conn, ids):
    servers = [conn.compute.get_server(i) for i in ids]
    assert not [s for s in servers if s.status == "ERROR"], \
        [(s.id, s.fault) for s in servers if s.status == "ERROR"]
    return servers if all(s.status == "ACTIVE" for s in servers) else None


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
    assert len(nodes["hypervisors"]) == 2
    for node in nodes["hypervisors"]:
        assert node["running_vms"] == 0
        assert node["vcpus_used"] == 0
        assert node["memory_mb_used"] == 0
    _assert_no_allocations(deployment)


def _assert_no_allocations(dep):
    import sqlalchemy
    engine = sqlalchemy.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sqlalchemy.text(
                "SELECT count(*) FROM allocations")).scalar()
            live = conn.execute(sqlalchemy.text(
                "SELECT count(*) FROM instances WHERE deleted = 0")).scalar()
    finally:
        engine.dispose()
    assert (count, live) == (0, 0)


def test_dead_compute_goes_down_and_comes_back(deployment):
    conn = deployment.sdk()
    wait_until(lambda: _computes_up(conn), 60, message="computes up")
    ids = _boot_many(conn, 4)
    servers = wait_until(lambda: _all_active(conn, ids), 60,
                         message="servers ACTIVE")
    on_b = [s.id for s in servers if s.compute_host == "cmp-b"]

    deployment.kill("cmp-b")
    wait_until(lambda: _state(conn, "cmp-b") == "down", 6 + 10,
               message="cmp-b reported down")
    more = _boot_many(conn, 4)
    placed = wait_until(lambda: _all_active(conn, more), 60,
                        message="boots while cmp-b is down")
    assert {s.compute_host for s in placed} == {"cmp-a"}

    deployment.start_compute("cmp-b")
    wait_until(lambda: _state(conn, "cmp-b") == "up", 30,
               message="cmp-b back up")
    # Its guests survived the restart (the fake hypervisor persists them)
    # and reconciliation left them ACTIVE and running.
    for server_id in on_b:
        server = conn.compute.get_server(server_id)
        assert (server.status, server.power_state) == ("ACTIVE", 1)
    assert "Fake host cmp-b has" in deployment.log("cmp-b")


def _state(conn, host):
    for service in conn.compute.services():
        if service.binary == "nova-compute" and service.host == host:
            return service.state
    return None
