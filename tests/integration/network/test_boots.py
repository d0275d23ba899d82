"""Servers get addresses through the API: the embedded default
(nimbus-all, SQLite, fake plugins, no root) and 50 concurrent boots on
one network with PostgreSQL, every address free again after the
deletes."""

import concurrent.futures
import time

import pytest

from nimbus.cli.daemons import all as all_daemon
from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from nimbus.core.network import api as network_api
from tests import real
from tests.conftest import Stack
from tests.functional.test_servers_sdk import DEMO_IMAGE, wait_status


def _service(stack, binary):
    return [s for s in stack.started
            if getattr(s, "binary", None) == binary]


def test_the_embedded_default_gives_servers_addresses(stack):
    conn = stack.sdk()
    server = wait_status(conn, conn.compute.create_server(
        name="vm1", image_id=DEMO_IMAGE, flavor_id="1",
        networks="auto"), "ACTIVE")
    admin = nimbus_context.get_admin_context()
    net = network_api.NetworkAPI(stack.conf, db_api)
    (default,) = net.list_networks(admin)
    assert (default["name"], default["cidr"]) == ("private", "10.0.0.0/24")
    (vif,) = net.get_instance_nw_info(admin, server.id)
    (address,) = vif["fixed_ips"]
    assert address.startswith("10.0.0.") and address != "10.0.0.1"
    host = conn.compute.get_server(server.id)
    computes = {s.host: s for s in _service(stack, "nimbus-compute")}
    compute_host = stack.sdk("admin:admin").compute.get_server(
        server.id).compute_host
    plugged = computes[compute_host].manager.network_driver.plugged
    assert plugged[vif["id"]].mac == vif["mac"]
    (network_service,) = _service(stack, "nimbus-network")
    _spec, ports = network_service.manager.driver.networks[default["id"]]
    assert ports[vif["id"]].fixed_ips == [address]
    conn.compute.delete_server(host)
    _wait_gone(conn, [server.id])
    assert net.get_instance_nw_info(admin, server.id) == []
    assert vif["id"] not in computes[compute_host].manager.\
        network_driver.plugged
    # The gateway side lets go of the port once the deletes pause
    # ([network] release_refresh_delay, at most five times it).
    deadline = time.monotonic() + 10
    while network_service.manager.driver.networks[default["id"]][1] and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    assert network_service.manager.driver.networks[default["id"]][1] == {}


def _wait_gone(conn, ids, timeout=120):
    deadline = time.monotonic() + timeout
    left = set(ids)
    while left and time.monotonic() < deadline:
        left &= {s.id for s in conn.compute.servers()}
        time.sleep(0.2)
    assert not left, f"{len(left)} servers not deleted"


@pytest.fixture
def pg_stack(nimbus_conf):
    """nimbus-all's services in this process on a fresh PostgreSQL
    database, four fake computes and no quota limits."""
    with real.database("postgresql") as url:
        nimbus_conf.set_override("connection", url, "database")
        nimbus_conf.set_override("compute_hosts",
                                 ["fake-1", "fake-2", "fake-3", "fake-4"],
                                 "all")
        for resource in ("instances", "cores", "ram", "port"):
            nimbus_conf.set_override(resource, -1, "quota")
        started = all_daemon.start_all(nimbus_conf)
        running = Stack(nimbus_conf, started)
        try:
            yield running
        finally:
            running.stop()
            engine.reset()


@pytest.mark.real
def test_50_concurrent_boots_get_distinct_addresses_all_freed(pg_stack):
    conn = pg_stack.sdk()
    admin = nimbus_context.get_admin_context()
    net = network_api.NetworkAPI(pg_stack.conf, db_api)
    (default,) = net.list_networks(admin)
    free_before = db_api.networks.count_free(admin, default["id"])

    def boot(index):
        return pg_stack.sdk().compute.create_server(
            name=f"vm{index}", image_id=DEMO_IMAGE, flavor_id="1",
            networks="auto").id

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        ids = list(pool.map(boot, range(50)))
    for server_id in ids:
        wait_status(conn, conn.compute.get_server(server_id), "ACTIVE",
                    timeout=180)
    vifs = net.get_nw_info_bulk(admin, ids)
    addresses = [a for i in ids for v in vifs[i] for a in v["fixed_ips"]]
    assert all(len(vifs[i]) == 1 for i in ids)
    assert len(addresses) == len(set(addresses)) == 50
    assert len({v["mac"] for i in ids for v in vifs[i]}) == 50
    assert db_api.networks.count_free(admin, default["id"]) == \
        free_before - 50

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        list(pool.map(lambda i: pg_stack.sdk().compute.delete_server(i),
                      ids))
    _wait_gone(conn, ids, timeout=180)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and db_api.networks.count_free(
            admin, default["id"]) != free_before:
        time.sleep(0.2)
    assert db_api.networks.count_free(admin, default["id"]) == free_before
    assert db_api.ports.get_all(admin) == []
    assert db_api.networks.get_fixed_ips(admin, default["id"],
                                         allocated=True) == []
    assert db_api.security_groups.groups_of_instances(admin, ids) == \
        {i: [] for i in ids}
