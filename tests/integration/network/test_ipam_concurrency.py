"""Race-free records on PostgreSQL and MariaDB (and SQLite): concurrent
allocations never hand out one address, one MAC, one floating IP, one
VLAN or one CIDR twice.

Each thread works through its own database connections, as separate
nimbus-network processes would; a barrier starts them together.
"""

import concurrent.futures
import threading
import time

import pytest
from oslo_utils import uuidutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import engine, migration
from nimbus.core.db import setup as db_setup
from nimbus.core.db.api import ports as ports_db
from nimbus.core.network import allocation, ipam
from tests import real

pytestmark = pytest.mark.real
WORKERS = 8


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def ctx(request, nimbus_conf):
    """A migrated database of each kind, in use by this process."""
    if request.param == "sqlite":
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield nimbus_context.get_admin_context()
        return
    with real.database(request.param) as url:
        nimbus_conf.set_override("connection", url, "database")
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield nimbus_context.get_admin_context()
        engine.reset()


def _network(ctx, cidr, **values):
    plan = ipam.plan(cidr)
    return db_api.networks.create(ctx, dict(
        {"name": "n", "cidr": plan["cidr"], "gateway": plan["gateway"],
         "allocation_start": plan["allocation_start"],
         "allocation_end": plan["allocation_end"], "bridge": "br-x"},
        **values), plan["addresses"])


def _race(count, work):
    """Run ``work(i)`` for each i on WORKERS threads started together;
    return ``(results, errors)``."""
    barrier = threading.Barrier(min(WORKERS, count))
    results, errors = [], []

    def run(index):
        if index < WORKERS:
            barrier.wait()
        try:
            results.append(work(index))
        except Exception as err:  # collected, asserted by the caller
            errors.append(err)

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(run, range(count)))
    return results, errors


def _first_draw_collides(monkeypatch, suffix):
    """Every thread's first MAC is ``<prefix>:<suffix>``, the next ones
    random."""
    drawn = threading.local()
    real_random = ports_db.random_mac

    def colliding(prefix):
        if not getattr(drawn, "first", False):
            drawn.first = True
            return f"{prefix}:{suffix}"
        return real_random(prefix)

    monkeypatch.setattr(ports_db, "random_mac", colliding)


def test_concurrent_allocations_never_share_an_address(ctx, nimbus_conf):
    net = _network(ctx, "10.80.0.0/26")  # 61 allocatable addresses
    allocator = allocation.Allocator(nimbus_conf, db_api)

    def boot(_index):
        port = allocator.create_port(ctx, net, "p1", security_groups=[],
                                     instance_uuid=uuidutils.generate_uuid())
        return port["uuid"]

    ports, errors = _race(70, boot)
    assert len(ports) == 61
    assert len(errors) == 9
    assert all(isinstance(e, exception.NoMoreFixedIps) for e in errors)
    rows = db_api.networks.get_fixed_ips(ctx, net["uuid"], allocated=True)
    assert len(rows) == 61
    assert len({r["address"] for r in rows}) == 61
    assert sorted(r["port_id"] for r in rows) == sorted(ports)
    # a failed allocation left no port behind
    assert len(db_api.ports.get_all(ctx, network_id=net["uuid"])) == 61
    for port in ports:
        db_api.ports.destroy(ctx, port)
    assert db_api.networks.count_free(ctx, net["uuid"]) == 61


def test_one_requested_address_has_one_winner(ctx, nimbus_conf):
    net = _network(ctx, "10.81.0.0/24")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    ports, errors = _race(WORKERS, lambda _i: allocator.create_port(
        ctx, net, "p1", fixed_ip="10.81.0.50", security_groups=[]))
    assert len(ports) == 1
    assert len(errors) == WORKERS - 1
    assert all(isinstance(e, exception.FixedIpAlreadyInUse) for e in errors)
    assert len(db_api.ports.get_all(ctx, network_id=net["uuid"])) == 1


def test_colliding_macs_are_retried_never_duplicated(ctx, monkeypatch):
    """Every thread draws the same MAC first: one insert wins, the
    others hit the unique constraint and draw again."""
    net = _network(ctx, "10.82.0.0/24")
    _first_draw_collides(monkeypatch, "00:00:01")
    ports, errors = _race(WORKERS * 2, lambda _i: db_api.ports.create(
        ctx, {"network_id": net["uuid"], "project_id": "p1"}))
    assert errors == []
    macs = [p["mac_address"] for p in ports]
    assert len(set(macs)) == len(macs) == WORKERS * 2
    assert "fa:16:3e:00:00:01" in macs


def test_concurrent_floating_allocations_never_share_an_address(ctx):
    ext = db_api.networks.create(ctx, {"name": "public", "external": True,
                                       "cidr": "172.24.8.0/27"})
    db_api.floating_ips.add_to_pool(ctx, ext["uuid"],
                                    ipam.pool_addresses("172.24.8.0/28"))
    fips, errors = _race(20, lambda i: db_api.floating_ips.allocate(
        ctx, ext["uuid"], f"p{i}"))
    assert len(fips) == 14
    assert all(isinstance(e, exception.NoMoreFloatingIps) for e in errors)
    assert len({f["address"] for f in fips}) == 14
    assert len({f["uuid"] for f in fips}) == 14


def test_first_boots_make_distinct_vlans_and_one_network_per_project(
        ctx, nimbus_conf):
    nimbus_conf.set_override("fixed_range", "10.90.0.0/20", "network")
    nimbus_conf.set_override("network_size", 256, "network")
    nimbus_conf.set_override("vlan_start", 300, "network")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    projects = [f"project-{i % 6}" for i in range(18)]  # 3 boots each
    nets, errors = _race(len(projects), lambda i: allocator.project_network(
        ctx, projects[i]))
    assert errors == []
    by_project = {}
    for net in nets:
        by_project.setdefault(net["project_id"], set()).add(net["uuid"])
    assert all(len(uuids) == 1 for uuids in by_project.values())
    made = db_api.networks.get_all(ctx)
    assert len(made) == 6
    assert len({n["vlan"] for n in made}) == 6
    assert {n["vlan"] for n in made} == set(range(300, 306))
    assert len({n["cidr"] for n in made}) == 6


def _boot_request(net):
    return [{"network_id": net["uuid"], "fixed_ip": None, "port_id": None}]


def test_first_boots_of_a_project_with_colliding_macs_all_get_ports(
        ctx, nimbus_conf, monkeypatch):
    """A server's allocation is one transaction: every thread draws the
    same MAC first, so all but one lose it (on PostgreSQL the failed
    insert ends the transaction) and run the whole allocation again;
    the project's ``default`` group, made by these first boots at once,
    is made once."""
    net = _network(ctx, "10.83.0.0/24")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    _first_draw_collides(monkeypatch, "00:00:02")
    servers = [uuidutils.generate_uuid() for _ in range(WORKERS * 2)]
    done, errors = _race(len(servers), lambda i: allocator.allocate(
        ctx, servers[i], "p-first", "host-a", _boot_request(net), []))
    assert errors == []
    ports = [p for d in done for p in d.ports]
    assert sorted(p["instance_uuid"] for p in ports) == sorted(servers)
    assert len({p["mac_address"] for p in ports}) == len(servers)
    assert "fa:16:3e:00:00:02" in {p["mac_address"] for p in ports}
    addresses = [a for d in done for m in d.made.values()
                 for a in m["fixed_ips"]]
    assert len(set(addresses)) == len(servers)
    defaults = db_api.security_groups.get_all(ctx, project_id="p-first",
                                              name="default")
    assert len(defaults) == 1
    groups = db_api.security_groups.groups_of_instances(ctx, servers)
    assert all(groups[s] == [defaults[0]["uuid"]] for s in servers)


def test_a_failed_server_allocation_leaves_nothing(ctx, nimbus_conf):
    """The second NIC asks for a taken address: the first NIC's port,
    its address and the server's group bindings are rolled back with
    it."""
    net = _network(ctx, "10.84.0.0/24")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    allocator.allocate(ctx, uuidutils.generate_uuid(), "p1", "host-a",
                       [dict(_boot_request(net)[0], fixed_ip="10.84.0.9")],
                       [])
    free = db_api.networks.count_free(ctx, net["uuid"])
    server = uuidutils.generate_uuid()
    with pytest.raises(exception.FixedIpAlreadyInUse):
        allocator.allocate(ctx, server, "p1", "host-a", [
            _boot_request(net)[0],
            dict(_boot_request(net)[0], fixed_ip="10.84.0.9")], [])
    assert db_api.ports.get_all(ctx, instance_uuid=server) == []
    assert db_api.networks.count_free(ctx, net["uuid"]) == free
    assert db_api.security_groups.groups_of_instances(
        ctx, [server])[server] == []


def test_a_server_booted_on_a_users_port_twice_joins_its_groups_once(
        ctx, nimbus_conf):
    """Only a user's port asked: the server's groups are recorded on
    their own, inside the allocation's transaction; asking again (a
    retried build) finds them recorded rather than failing the
    transaction on the unique binding (PostgreSQL)."""
    net = _network(ctx, "10.85.0.0/24")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    port = allocator.create_port(ctx, net, "p1")
    server = uuidutils.generate_uuid()
    request = [{"network_id": None, "fixed_ip": None,
                "port_id": port["uuid"]}]
    for _attempt in range(2):
        done = allocator.allocate(ctx, server, "p1", "host-a", request, [])
        assert [p["uuid"] for p in done.ports] == [port["uuid"]]
        assert done.ports[0]["instance_uuid"] == server
    default = db_api.security_groups.find_default(ctx, "p1")
    assert db_api.security_groups.groups_of_instances(
        ctx, [server])[server] == [default["uuid"]]


def _batched(group):
    """Hold a group commit's first run until the other racers have
    queued behind it, so they share the next ones; returns the sizes of
    the runs it made."""
    sizes = []
    run = group._run

    def held(items):
        if not sizes:
            deadline = time.monotonic() + 5
            while group.waiting() < WORKERS - 1 and \
                    time.monotonic() < deadline:
                time.sleep(0.01)
        sizes.append(len(items))
        return run(items)

    group._run = held
    return sizes


def test_boots_sharing_transactions_each_get_their_own_outcome(
        ctx, nimbus_conf):
    """Concurrent boots share write transactions; when the network runs
    out in the middle of one, it is undone and each boot runs alone: the
    ones that fit get distinct addresses, the others NoMoreFixedIps, and
    a failed boot leaves neither a port nor a group binding."""
    net = _network(ctx, "10.86.0.0/28")  # 13 allocatable addresses
    allocator = allocation.Allocator(nimbus_conf, db_api)
    allocator.allocate(ctx, uuidutils.generate_uuid(), "p1", "host-a",
                       _boot_request(net), [])  # the project's group
    sizes = _batched(allocator._batches)
    servers = [uuidutils.generate_uuid() for _ in range(16)]
    done, errors = _race(len(servers), lambda i: (
        servers[i], allocator.allocate(ctx, servers[i], "p1", "host-a",
                                       _boot_request(net), [])))
    assert max(sizes) > 1  # transactions were shared
    assert len(done) == 12 and len(errors) == 4
    assert all(isinstance(e, exception.NoMoreFixedIps) for e in errors)
    addresses = [a for _s, d in done for m in d.made.values()
                 for a in m["fixed_ips"]]
    assert len(set(addresses)) == 12
    booted = {s for s, _d in done}
    failed = set(servers) - booted
    groups = db_api.security_groups.groups_of_instances(ctx, servers)
    assert all(len(groups[s]) == 1 for s in booted)
    assert all(groups[s] == [] for s in failed)
    for server in failed:
        assert db_api.ports.get_all(ctx, instance_uuid=server) == []
    assert db_api.networks.count_free(ctx, net["uuid"]) == 0
    # each port made in a shared transaction holds its address, its own
    # MAC and its group
    ports = [p for _s, d in done for p in d.ports]
    assert len({p["mac_address"] for p in ports}) == 12
    bound = db_api.ports.security_groups_of(ctx, [p["uuid"] for p in ports])
    assert all(bound[p["uuid"]] == groups[p["instance_uuid"]]
               for p in ports)
    held = {r["address"]: r["port_id"] for r in db_api.networks.get_fixed_ips(
        ctx, net["uuid"], allocated=True)}
    assert all(held[p["fixed_ips"][0]] == p["uuid"] for p in ports)


def test_deletes_sharing_transactions_each_release_their_own_ports(
        ctx, nimbus_conf):
    """Concurrent releases share write transactions: each caller gets
    its own server's ports back, a user's port is unbound and kept, and
    afterwards no address, port or group binding of a released server
    is left."""
    net = _network(ctx, "10.88.0.0/27")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    servers = [uuidutils.generate_uuid() for _ in range(WORKERS)]
    for server in servers[1:]:
        allocator.allocate(ctx, server, "p1", "host-a", _boot_request(net),
                           [])
    users = allocator.create_port(ctx, net, "p1")
    allocator.allocate(ctx, servers[0], "p1", "host-a", [
        _boot_request(net)[0],
        {"network_id": None, "fixed_ip": None, "port_id": users["uuid"]}],
        [])
    made = {s: {p["uuid"] for p in db_api.ports.get_all(
        ctx, instance_uuid=s)} for s in servers}
    sizes = _batched(allocator._releases)
    released, errors = _race(len(servers), lambda i: (
        servers[i], allocator.deallocate_for_instance(ctx, servers[i])))
    assert errors == []
    assert max(sizes) > 1  # transactions were shared
    assert {s: {p["uuid"] for p in ports} for s, ports in released} == made
    assert all(p["instance_uuid"] == s for s, ports in released
               for p in ports)
    assert db_api.ports.get_all(ctx, instance_uuid=servers) == []
    kept = db_api.ports.get(ctx, users["uuid"])
    assert kept["instance_uuid"] is None and kept["status"] == "DOWN"
    assert db_api.security_groups.groups_of_instances(ctx, servers) == {
        s: [] for s in servers}
    held = db_api.networks.get_fixed_ips(ctx, net["uuid"], allocated=True)
    assert [r["port_id"] for r in held] == [users["uuid"]]


def test_a_server_released_twice_in_one_transaction_is_released_once(
        ctx, nimbus_conf):
    """Two deletes of one server in the same shared release: the first
    gets its ports, the second none (as if it had come after)."""
    net = _network(ctx, "10.89.0.0/28")
    allocator = allocation.Allocator(nimbus_conf, db_api)
    servers = [uuidutils.generate_uuid() for _ in range(2)]
    for server in servers:
        allocator.allocate(ctx, server, "p1", "host-a", _boot_request(net),
                           [])
    made = [db_api.ports.get_all(ctx, instance_uuid=s) for s in servers]
    first, other, second = allocator._release_batch(
        [(ctx, servers[0]), (ctx, servers[1]), (ctx, servers[0])])
    assert [p["uuid"] for p in first] == [p["uuid"] for p in made[0]]
    assert [p["uuid"] for p in other] == [p["uuid"] for p in made[1]]
    assert second == []
