"""NetworkManager over the fake plugin: serving networks (claims and the
replay at start), allocation for servers (race-free, with VLAN networks
made on a project's first boot), floating-IP NAT, and the sweep of
orphaned ports."""

import contextlib
import threading
import time

import oslo_messaging as messaging
import pytest
from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import manager as network_manager
from nimbus.plugins.networks import fake
from tests.unit import workflow_fakes as wf
from tests.unit.network.conftest import Recorder

AUTO = {"network_id": None, "fixed_ip": None, "port_id": None}


@contextlib.contextmanager
def raises_over_rpc(cls):
    """What an RPC caller sees: ``cls`` (the server marks it expected)."""
    with pytest.raises(messaging.ExpectedException) as info:
        yield
    assert isinstance(info.value.exc_info[1], cls), info.value.exc_info


def _nic(network):
    return [{"network_id": network["id"], "fixed_ip": None,
             "port_id": None}]


def _instance(project="p1"):
    return wf.create_instance(wf.user_context(project), host="c-1")


def test_start_claims_and_sets_up_unserved_networks(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.40.0.0/24")
    mgr.init_host()
    assert net_api.get_network(admin, net["id"])["host"] == "net-1"
    spec, ports = mgr.driver.networks[net["id"]]
    assert (spec.cidr, spec.gateway, ports) == ("10.40.0.0/24", "10.40.0.1",
                                                {})


def test_a_network_of_another_host_is_left_to_it(mgr, net_api, admin,
                                                 nimbus_conf):
    nimbus_conf.set_override("network_host", "net-2", "network")
    net = net_api.create_network(admin, "private", "10.41.0.0/24")
    mgr.init_host()
    assert mgr.driver.networks == {}
    mgr.setup_network(admin, net["id"])
    assert mgr.driver.networks == {}
    assert mgr.network_rpc.named("setup_network")[-1][2] == {"host": "net-2"}


def test_allocation_returns_vifs_and_updates_the_gateway(mgr, net_api,
                                                         admin):
    net = net_api.create_network(admin, "private", "10.42.0.0/24")
    instance = _instance()
    vifs = mgr.allocate_for_instance(admin, instance.uuid, "p1", "c-1",
                                     _nic(net), [], "vm1")
    (vif,) = vifs
    assert vif["network"]["id"] == net["id"] and vif["host"] == "net-1"
    assert vif["mac"].startswith("fa:16:3e:") and vif["hostname"] == "vm1"
    assert any(r["direction"] == "egress" for r in vif["rules"])
    _spec, ports = mgr.driver.networks[net["id"]]
    assert ports[vif["id"]].fixed_ips == vif["fixed_ips"]
    gone = mgr.deallocate_for_instance(admin, instance.uuid, "c-1")
    assert [v["id"] for v in gone] == [vif["id"]]
    assert net_api.db.networks.count_free(admin, net["id"]) == 253
    # The gateway side lets go of the port after the release delay.
    mgr._released.flush()
    assert mgr.driver.networks[net["id"]][1] == {}


def test_deletes_refresh_the_gateway_once_per_burst(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.47.0.0/24")
    instances = [_instance() for _ in range(3)]
    ports = [mgr.allocate_for_instance(admin, instance.uuid, "p1", "c-1",
                                       _nic(net), [], None)[0]["id"]
             for instance in instances]
    applied = _spy(mgr.driver)
    for instance in instances:
        assert mgr.deallocate_for_instance(
            admin, instance.uuid, "c-1", return_vifs=False) is None
    # Free at once; the DHCP entries leave in one refresh, after a pause,
    # which hands the plugin the three ports gone (not the network's).
    assert net_api.db.networks.count_free(admin, net["id"]) == 253
    assert applied == []
    deadline = time.monotonic() + 5
    while not applied and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.6)  # no second refresh follows
    assert applied == [("update", [], sorted(ports))]
    assert mgr.driver.networks[net["id"]][1] == {}


def _spy(plugin):
    """Record the plugin's gateway calls: ``("setup", [port ids])`` and
    ``("update", [added ids], [removed ids])``, ids sorted."""
    calls = []
    setup, update = plugin.setup_network, plugin.update_ports

    def spied_setup(spec, ports):
        calls.append(("setup", sorted(p.id for p in ports)))
        return setup(spec, ports)

    def spied_update(spec, added, removed):
        calls.append(("update", sorted(p.id for p in added),
                      sorted(p.id for p in removed)))
        return update(spec, added, removed)

    plugin.setup_network, plugin.update_ports = spied_setup, spied_update
    return calls


def test_boots_hand_the_plugin_their_own_ports_only(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.49.0.0/24")
    applied = _spy(mgr.driver)
    first, second = (mgr.allocate_for_instance(
        admin, _instance().uuid, "p1", "c-1", _nic(net), [], None)[0]
        for _ in range(2))
    # The first update of the network here is the whole state; the next
    # boot hands over its port alone, addresses and name included.
    assert applied == [("setup", [first["id"]]),
                       ("update", [second["id"]], [])]
    served = mgr.driver.networks[net["id"]][1][second["id"]]
    assert (served.mac, served.fixed_ips, served.instance_uuid) == (
        second["mac"], second["fixed_ips"], second["instance_uuid"])


def test_a_failed_port_update_makes_the_next_one_whole(mgr, net_api,
                                                       admin):
    net = net_api.create_network(admin, "private", "10.50.0.0/24")
    first = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                      _nic(net), [], None)[0]
    update, broken = mgr.driver.update_ports, threading.Event()

    def failing(spec, added, removed):
        if broken.is_set():
            raise exception.NetworkPluginError(reason="dnsmasq is gone")
        return update(spec, added, removed)
    mgr.driver.update_ports = failing
    applied = _spy(mgr.driver)
    broken.set()
    with raises_over_rpc(exception.NetworkPluginError):
        mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                  _nic(net), [], None)
    broken.clear()
    second = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                       _nic(net), [], None)[0]
    # The failed update is followed by the whole state (the undo of the
    # failed boot's port), then by single ports again.
    (failed, undo, after) = applied
    assert failed[0] == "update" and undo == ("setup", [first["id"]])
    assert after == ("update", [second["id"]], [])
    assert set(mgr.driver.networks[net["id"]][1]) == {first["id"],
                                                      second["id"]}


def test_the_served_ports_follow_the_records_through_a_burst(mgr, net_api,
                                                             admin):
    net = net_api.create_network(admin, "private", "10.51.0.0/26")
    instances = [_instance() for _ in range(24)]

    def boot(instance):
        mgr.allocate_for_instance(admin, instance.uuid, "p1", "c-1",
                                  _nic(net), [], None)

    def delete(instance):
        mgr.deallocate_for_instance(admin, instance.uuid, "c-1",
                                    return_vifs=False)

    _concurrently(boot, instances[:16])
    # Deletes and boots at once (freed addresses go to new ports).
    _concurrently(lambda i: (delete if i in instances[:8] else boot)(i),
                  instances[:8] + instances[16:])
    mgr._released.flush()
    records = net_api.db.ports.gateway_ports(admin, net["id"])
    served = mgr.driver.networks[net["id"]][1]
    assert len(records) == 16
    assert {uuid: (p.mac, p.fixed_ips) for uuid, p in served.items()} == {
        uuid: (mac, addresses) for uuid, mac, _, _, addresses in records}


def _concurrently(fn, items):
    errors = []

    def run(item):
        try:
            fn(item)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,)) for i in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []


def test_a_boot_after_a_delete_sees_the_whole_state(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.48.0.0/24")
    old = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                    _nic(net), [], None)[0]
    mgr.deallocate_for_instance(admin, old["instance_uuid"], "c-1")
    # Before the deferred refresh ran, a new boot's own refresh already
    # drops the deleted port's entry.
    new = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                    _nic(net), [], None)[0]
    assert set(mgr.driver.networks[net["id"]][1]) == {new["id"]}


def test_concurrent_allocations_never_share_an_address(mgr, net_api,
                                                       admin):
    net = net_api.create_network(admin, "private", "10.43.0.0/27")
    results, errors = [], []

    def boot():
        try:
            instance = _instance()
            results.extend(mgr.allocate_for_instance(
                admin, instance.uuid, "p1", "c-1", _nic(net), [], None))
        except Exception as err:  # collected, asserted below
            errors.append(err)

    threads = [threading.Thread(target=boot) for _ in range(29)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    addresses = [a for v in results for a in v["fixed_ips"]]
    assert len(addresses) == len(set(addresses)) == 29
    assert len({v["mac"] for v in results}) == 29
    with raises_over_rpc(exception.NoMoreFixedIps):
        mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                  _nic(net), [], None)


def test_vlan_networks_are_made_on_each_projects_first_boot(
        mgr, net_api, admin, nimbus_conf):
    nimbus_conf.set_override("vlan_start", 200, "network")
    nimbus_conf.set_override("network_size", 64, "network")
    nimbus_conf.set_override("fixed_range", "10.50.0.0/24", "network")
    first = mgr.allocate_for_instance(admin, _instance("pa").uuid, "pa",
                                      "c-1", [AUTO], [], None)[0]
    again = mgr.allocate_for_instance(admin, _instance("pa").uuid, "pa",
                                      "c-1", [AUTO], [], None)[0]
    other = mgr.allocate_for_instance(admin, _instance("pb").uuid, "pb",
                                      "c-1", [AUTO], [], None)[0]
    assert first["network"]["id"] == again["network"]["id"]
    assert (first["network"]["vlan"], first["network"]["cidr"]) == \
        (200, "10.50.0.0/26")
    assert (other["network"]["vlan"], other["network"]["cidr"]) == \
        (201, "10.50.0.64/26")
    assert first["network"]["project_id"] == "pa"
    assert first["network"]["bridge"] == "br200"


def test_vlan_networks_run_out_clearly(mgr, admin, nimbus_conf):
    nimbus_conf.set_override("network_size", 128, "network")
    nimbus_conf.set_override("fixed_range", "10.51.0.0/24", "network")
    for project in ("pa", "pb"):
        mgr.allocate_for_instance(admin, _instance(project).uuid, project,
                                  "c-1", [AUTO], [], None)
    with raises_over_rpc(exception.NoMoreVlans):
        mgr.allocate_for_instance(admin, _instance("pc").uuid, "pc", "c-1",
                                  [AUTO], [], None)


def test_floating_ips_are_natted_where_the_network_is_served(
        mgr, net_api, admin, alice):
    net = net_api.create_network(admin, "private", "10.44.0.0/24")
    ext = net_api.create_network(admin, "public", "172.24.5.0/29",
                                 external=True)
    mgr.init_host()
    port = net_api.create_port(alice, net["id"])
    net_api.create_floating_ip(alice, ext["id"], port_id=port["id"])
    (cast,) = net_api.network_rpc.named("add_floating_ip")
    assert cast[2] == {"host": "net-1"}
    mgr.add_floating_ip(admin, cast[1][0])
    (spec,) = mgr.driver.floating.values()
    assert spec.fixed_address == port["fixed_ips"][0]["ip_address"]
    assert spec.external_network.id == ext["id"]
    restarted = network_manager.NetworkManager(
        mgr.conf, "net-1", mgr.db, driver=fake.FakeNetwork(mgr.conf,
                                                           "net-1"))
    restarted.init_host()
    assert list(restarted.driver.floating) == list(mgr.driver.floating)
    assert port["id"] in restarted.driver.networks[net["id"]][1]


def test_orphaned_ports_are_reaped(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.45.0.0/24")
    instance = _instance()
    mgr.allocate_for_instance(admin, instance.uuid, "p1", "c-1", _nic(net),
                              [], None)
    mgr.allocate_for_instance(admin, uuidutils.generate_uuid(), "p1",
                              "c-1", _nic(net), [], None)  # no such server
    mgr.reap_orphans()
    left = net_api.list_ports(admin)
    assert [p["device_id"] for p in left] == [instance.uuid]


def test_members_joining_a_group_reach_each_host_once(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.46.0.0/24")
    first = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                      _nic(net), [], None,
                                      remote_groups=True)[0]
    mgr._members.flush()
    mgr.compute_rpc.calls.clear()
    second = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-2",
                                       _nic(net), [], None,
                                       remote_groups=True)[0]
    mgr._members.flush()
    (group,) = first["remote_groups"]
    rule = {"direction": "ingress", "protocol": None, "port_range_min": None,
            "port_range_max": None, "ethertype": "IPv4",
            "remote_cidr": None, "remote_group_id": group}
    assert rule in first["rules"] and rule in second["rules"]
    addresses = sorted(first["fixed_ips"] + second["fixed_ips"])
    assert second["remote_groups"] == {group: addresses}
    # Only the membership travels, once per host: no filter is re-sent.
    assert not mgr.compute_rpc.named("refresh_port_filters")
    casts = {c[1][0]: c[1][1] for c in
             mgr.compute_rpc.named("refresh_group_members")}
    assert casts == {"c-1": {group: addresses}, "c-2": {group: addresses}}
    # A server leaving the group: the same, with one address less.
    mgr.compute_rpc.calls.clear()
    mgr.deallocate_for_instance(admin, second["instance_uuid"], "c-2")
    mgr._members.flush()
    casts = {c[1][0]: c[1][1] for c in
             mgr.compute_rpc.named("refresh_group_members")}
    assert casts == {"c-1": {group: first["fixed_ips"]}}


def test_members_reach_the_hosts_whose_rules_name_the_group(mgr, net_api,
                                                           admin):
    net = net_api.create_network(admin, "private", "10.46.0.0/24")
    web = net_api.create_security_group(admin, "web", project_id="p1")
    db = net_api.create_security_group(admin, "db", project_id="p1")
    net_api.create_security_group_rule(admin, web["id"], protocol="tcp",
                                       port_range_min=80, port_range_max=80,
                                       remote_group_id=db["id"])
    for host in ("c-1", "c-2"):  # two web servers on c-1, one on c-2
        for _ in range(2 if host == "c-1" else 1):
            mgr.allocate_for_instance(admin, _instance().uuid, "p1", host,
                                      _nic(net), [web["id"]], None,
                                      remote_groups=True)
    mgr._members.flush()
    mgr.compute_rpc.calls.clear()
    (vif,) = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-3",
                                       _nic(net), [db["id"]], None,
                                       remote_groups=True)
    mgr._members.flush()
    # Once to each host with web servers; c-3's db rules name no group.
    casts = [c[1] for c in mgr.compute_rpc.named("refresh_group_members")]
    assert sorted(casts) == [("c-1", {db["id"]: vif["fixed_ips"]}),
                             ("c-2", {db["id"]: vif["fixed_ips"]})]


def test_members_the_compute_holds_are_neither_read_nor_sent(
        mgr, net_api, admin, monkeypatch):
    net = net_api.create_network(admin, "private", "10.46.0.0/24")
    first = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                      _nic(net), [], None,
                                      remote_groups=True)[0]
    (group,) = first["remote_groups"]
    mgr._members.flush()
    mgr.compute_rpc.calls.clear()
    read = []
    addresses_of = mgr.db.ports.group_addresses
    monkeypatch.setattr(mgr.db.ports, "group_addresses",
                        lambda ctx, groups: read.append(sorted(groups))
                        or addresses_of(ctx, groups))
    second = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                       _nic(net), [], None,
                                       remote_groups=True,
                                       held_groups=[group])[0]
    assert second["remote_groups"] == {} and not any(read)
    assert any(r["remote_group_id"] == group for r in second["rules"])
    # The host gets the group once the port is recorded, as every host
    # whose ports name it does: a change it missed cannot stay missed.
    mgr._members.flush()
    casts = {c[1][0]: c[1][1] for c in
             mgr.compute_rpc.named("refresh_group_members")}
    assert casts == {"c-1": {group: sorted(first["fixed_ips"]
                                           + second["fixed_ips"])}}


def test_members_refilter_ports_of_computes_before_rpc_1_9(mgr, net_api,
                                                           admin):
    mgr._compute_rpc = Recorder(group_members=False)
    net = net_api.create_network(admin, "private", "10.46.0.0/24")
    first = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-1",
                                      _nic(net), [], None)[0]
    mgr._members.flush()
    mgr.compute_rpc.calls.clear()
    second = mgr.allocate_for_instance(admin, _instance().uuid, "p1", "c-2",
                                       _nic(net), [], None)[0]
    mgr._members.flush()
    assert "remote_groups" not in second
    assert not mgr.compute_rpc.named("refresh_group_members")
    casts = {c[1][0]: c[1][1] for c in
             mgr.compute_rpc.named("refresh_port_filters")}
    (on_c1,) = casts["c-1"]
    assert on_c1["port"]["id"] == first["id"]
    assert {"direction": "ingress", "protocol": None, "port_range_min": None,
            "port_range_max": None, "ethertype": "IPv4",
            "remote_cidr": second["fixed_ips"][0] + "/32",
            "remote_group_id": None} in on_c1["rules"]
