"""The networking records on SQLite: compare-and-swap allocation of
fixed and floating IPs, unique MACs, the one ``default`` group per
project, and the foreign keys that keep used records from going."""

import pytest
from oslo_utils import uuidutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception


@pytest.fixture
def ctx():
    return nimbus_context.get_admin_context()


def _network(db_api, ctx, **values):
    addresses = [(f"10.9.0.{i}", i in (0, 1, 7)) for i in range(8)]
    values = {"name": "n", "cidr": "10.9.0.0/29", "gateway": "10.9.0.1",
              "bridge": "br9", **values}
    return db_api.networks.create(ctx, values, addresses)


def _port(db_api, ctx, network, **values):
    return db_api.ports.create(ctx, {"network_id": network["uuid"],
                                     "project_id": "p1", **values})


def test_fixed_ips_are_handed_out_once_until_the_network_is_full(
        db_api, ctx):
    net = _network(db_api, ctx)
    got = [db_api.networks.allocate_fixed_ip(
        ctx, net["uuid"], _port(db_api, ctx, net)["uuid"])
        for _ in range(5)]
    assert sorted(got) == [f"10.9.0.{i}" for i in range(2, 7)]
    with pytest.raises(exception.NoMoreFixedIps):
        db_api.networks.allocate_fixed_ip(
            ctx, net["uuid"], _port(db_api, ctx, net)["uuid"])
    assert db_api.networks.count_free(ctx, net["uuid"]) == 0


def test_a_requested_address_is_given_once_and_reserved_ones_never(
        db_api, ctx):
    net = _network(db_api, ctx)
    p1, p2 = (_port(db_api, ctx, net) for _ in range(2))
    assert db_api.networks.allocate_fixed_ip(
        ctx, net["uuid"], p1["uuid"], address="10.9.0.4") == "10.9.0.4"
    with pytest.raises(exception.FixedIpAlreadyInUse):
        db_api.networks.allocate_fixed_ip(ctx, net["uuid"], p2["uuid"],
                                          address="10.9.0.4")
    for reserved in ("10.9.0.1", "10.9.0.7", "10.9.9.9"):
        with pytest.raises(exception.FixedIpNotFound):
            db_api.networks.allocate_fixed_ip(ctx, net["uuid"], p2["uuid"],
                                              address=reserved)


def test_deleting_a_port_frees_its_address_and_floating_ip(db_api, ctx):
    net = _network(db_api, ctx)
    ext = db_api.networks.create(ctx, {"name": "ext", "cidr": "172.24.4.0/24",
                                       "external": True})
    db_api.floating_ips.add_to_pool(ctx, ext["uuid"], ["172.24.4.10"])
    port = _port(db_api, ctx, net)
    address = db_api.networks.allocate_fixed_ip(ctx, net["uuid"],
                                                port["uuid"])
    fip = db_api.floating_ips.allocate(ctx, ext["uuid"], "p1")
    db_api.floating_ips.associate(ctx, fip["uuid"], port["uuid"], address)
    db_api.ports.destroy(ctx, port["uuid"])
    assert db_api.networks.count_free(ctx, net["uuid"]) == 5
    assert db_api.floating_ips.get(ctx, fip["uuid"])["port_id"] is None
    with pytest.raises(exception.NoMoreFloatingIps):
        db_api.floating_ips.allocate(ctx, ext["uuid"], "p2")
    db_api.floating_ips.release(ctx, fip["uuid"])
    with pytest.raises(exception.FloatingIpNotFound):
        db_api.floating_ips.get(ctx, fip["uuid"])
    again = db_api.floating_ips.allocate(ctx, ext["uuid"], "p2")
    assert again["address"] == "172.24.4.10"
    assert again["uuid"] != fip["uuid"]


def test_macs_are_unique_and_a_given_taken_mac_is_refused(db_api, ctx):
    net = _network(db_api, ctx)
    port = _port(db_api, ctx, net)
    assert port["mac_address"].startswith("fa:16:3e:")
    with pytest.raises(exception.MacAddressInUse):
        _port(db_api, ctx, net, mac_address=port["mac_address"])


def test_vlans_are_unique(db_api, ctx):
    _network(db_api, ctx, vlan=100)
    with pytest.raises(exception.NetworkExists):
        db_api.networks.create(ctx, {"name": "m", "cidr": "10.8.0.0/29",
                                     "vlan": 100})


def test_a_network_with_ports_cannot_be_deleted(db_api, ctx):
    net = _network(db_api, ctx)
    port = _port(db_api, ctx, net)
    with pytest.raises(exception.NetworkInUse):
        db_api.networks.destroy(ctx, net["uuid"])
    db_api.ports.destroy(ctx, port["uuid"])
    db_api.networks.destroy(ctx, net["uuid"])
    assert db_api.networks.get_fixed_ips(ctx, net["uuid"]) == []


def test_one_default_group_per_project_with_neutrons_rules(db_api, ctx):
    first = db_api.security_groups.get_default(ctx, "p1")
    assert db_api.security_groups.get_default(ctx, "p1") == first
    rules = db_api.security_groups.get_rules(
        ctx, security_group_id=first["uuid"])
    assert sorted((r["direction"], r["ethertype"], r["remote_group_id"])
                  for r in rules) == [
        ("egress", "IPv4", None), ("ingress", "IPv4", first["uuid"])]


def test_a_group_in_use_cannot_be_deleted(db_api, ctx):
    net = _network(db_api, ctx)
    group = db_api.security_groups.create(ctx, {"name": "web",
                                                "project_id": "p1"})
    port = _port(db_api, ctx, net)
    db_api.ports.set_security_groups(ctx, port["uuid"], [group["uuid"]])
    with pytest.raises(exception.SecurityGroupInUse):
        db_api.security_groups.destroy(ctx, group["uuid"])
    db_api.ports.destroy(ctx, port["uuid"])
    instance = uuidutils.generate_uuid()
    db_api.security_groups.add_to_instance(ctx, instance, group["uuid"])
    with pytest.raises(exception.SecurityGroupInUse):
        db_api.security_groups.destroy(ctx, group["uuid"])
    db_api.security_groups.remove_from_instance(ctx, instance)
    db_api.security_groups.destroy(ctx, group["uuid"])
    assert db_api.security_groups.get_rules(
        ctx, security_group_id=group["uuid"]) == []


def test_hosts_in_groups_names_each_host_once_with_its_groups(db_api, ctx):
    net = _network(db_api, ctx)
    web, db = (db_api.security_groups.create(ctx, {"name": name,
                                                   "project_id": "p1"})
               for name in ("web", "db"))
    server = uuidutils.generate_uuid

    def port(groups, **values):
        made = _port(db_api, ctx, net, **values)
        db_api.ports.set_security_groups(ctx, made["uuid"],
                                         [g["uuid"] for g in groups])

    for _ in range(3):  # many ports of a host: one row
        port([web], host="h1", instance_uuid=server())
    port([web, db], host="h2", instance_uuid=server())
    port([db], host="h3")  # not bound to a server
    port([db])  # a user's port, unbound
    assert db_api.ports.hosts_in_groups(ctx, [web["uuid"], db["uuid"]]) == {
        "h1": {web["uuid"]}, "h2": {web["uuid"], db["uuid"]}}
    assert db_api.ports.hosts_in_groups(ctx, [db["uuid"]]) == {
        "h2": {db["uuid"]}}
    assert db_api.ports.hosts_in_groups(ctx, []) == {}


def test_gateway_ports_lists_each_port_with_its_addresses_in_order(
        db_api, ctx):
    net = _network(db_api, ctx)
    other = _network(db_api, ctx, cidr="10.9.1.0/29", bridge="br10",
                     gateway=None)
    first = _port(db_api, ctx, net, host="h1", dns_name="vm1",
                  instance_uuid=uuidutils.generate_uuid())
    bare = _port(db_api, ctx, net, host="h2")
    _port(db_api, ctx, other, host="h1")
    db_api.networks.allocate_fixed_ip(ctx, net["uuid"], first["uuid"],
                                      address="10.9.0.5")
    db_api.networks.allocate_fixed_ip(ctx, net["uuid"], first["uuid"],
                                      address="10.9.0.3")
    assert db_api.ports.gateway_ports(ctx, net["uuid"]) == [
        (first["uuid"], first["mac_address"], first["instance_uuid"], "vm1",
         ["10.9.0.3", "10.9.0.5"]),
        (bare["uuid"], bare["mac_address"], None, None, [])]
    assert [p[0] for p in db_api.ports.gateway_ports(
        ctx, net["uuid"], hosts={"h2"})] == [bare["uuid"]]
    assert db_api.ports.gateway_ports(ctx, net["uuid"], hosts=()) == []
