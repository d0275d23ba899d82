"""NetworkAPI: security groups and rules (with the filter refreshes they
cause) and floating IPs (with the NAT casts)."""

import pytest
from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import records
from tests.unit.network.conftest import user


@pytest.fixture
def net(net_api, admin):
    return net_api.create_network(admin, "private", "10.30.0.0/24")


@pytest.fixture
def ext(net_api, admin):
    return net_api.create_network(admin, "public", "172.24.4.0/29",
                                  external=True)


def _server(net_api, admin, net, groups=(), host="compute-1",
            project="p1"):
    instance = uuidutils.generate_uuid()
    ports = net_api.allocator.allocate_for_instance(
        admin, instance, project, host,
        [{"network_id": net["id"], "fixed_ip": None, "port_id": None}],
        list(groups))
    return instance, ports[0]


def test_the_default_group_is_made_once_with_neutrons_rules(net_api,
                                                            alice):
    groups = net_api.list_security_groups(alice)
    assert [g["name"] for g in groups] == ["default"]
    assert net_api.list_security_groups(alice) == groups
    rules = groups[0]["security_group_rules"]
    assert sorted((r["direction"], r["ethertype"], r["remote_group_id"])
                  for r in rules) == [
        ("egress", "IPv4", None), ("ingress", "IPv4", groups[0]["id"])]
    with pytest.raises(exception.SecurityGroupExists):
        net_api.create_security_group(alice, "default")
    with pytest.raises(exception.SecurityGroupInUse):
        net_api.delete_security_group(alice, groups[0]["id"])
    with pytest.raises(exception.Conflict):
        net_api.update_security_group(alice, groups[0]["id"], name="x")


def test_groups_are_per_project(net_api, alice, bob):
    web = net_api.create_security_group(alice, "web", "web servers")
    assert web["description"] == "web servers"
    assert len(web["security_group_rules"]) == 1  # egress, IPv4 only
    with pytest.raises(exception.SecurityGroupNotFound):
        net_api.get_security_group(bob, web["id"])
    assert "web" not in [g["name"] for g in net_api.list_security_groups(bob)]
    renamed = net_api.update_security_group(alice, web["id"], name="www")
    assert renamed["name"] == "www"


@pytest.mark.parametrize("kwargs", [
    {"direction": "sideways"}, {"ethertype": "IPX"}, {"ethertype": "IPv6"},
    {"protocol": "gre"}, {"protocol": "tcp", "port_range_min": 90,
                          "port_range_max": 80},
    {"protocol": "tcp", "port_range_min": 0, "port_range_max": 80},
    {"protocol": None, "port_range_min": 22, "port_range_max": 22},
    {"protocol": "icmp", "port_range_min": 300},
    {"remote_ip_prefix": "nonsense"},
    {"remote_ip_prefix": "::/0"},
    {"remote_ip_prefix": "0.0.0.0/0",
     "remote_group_id": "00000000-0000-0000-0000-000000000000"},
])
def test_bad_rules_are_refused(net_api, alice, kwargs):
    web = net_api.create_security_group(alice, "web")
    with pytest.raises(exception.InvalidSecurityGroupRule):
        net_api.create_security_group_rule(alice, web["id"], **kwargs)
    assert len(net_api.get_security_group(alice, web["id"])[
        "security_group_rules"]) == 1


def test_rules_are_normalized_and_duplicates_refused(net_api, alice):
    web = net_api.create_security_group(alice, "web")
    rule = net_api.create_security_group_rule(
        alice, web["id"], protocol="6", port_range_min=80,
        port_range_max=80, remote_ip_prefix="192.0.2.7/24")
    assert (rule["protocol"], rule["remote_ip_prefix"]) == \
        ("tcp", "192.0.2.0/24")
    with pytest.raises(exception.SecurityGroupRuleExists):
        net_api.create_security_group_rule(
            alice, web["id"], protocol="tcp", port_range_min=80,
            port_range_max=80, remote_ip_prefix="192.0.2.0/24")
    net_api.delete_security_group_rule(alice, rule["id"])
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        net_api.get_security_group_rule(alice, rule["id"])


def test_rule_changes_reach_the_computes_hosting_the_groups_ports(
        net_api, net, admin, alice):
    web = net_api.create_security_group(alice, "web")
    _instance, port = _server(net_api, admin, net, ["web"], host="c-7")
    _server(net_api, admin, net, [], host="c-8")  # default group only
    rule = net_api.create_security_group_rule(
        alice, web["id"], protocol="icmp")
    casts = net_api.compute_rpc.named("refresh_port_filters")
    assert [c[1][0] for c in casts] == ["c-7"]
    filters = casts[0][1][1]
    assert filters[0]["port"]["id"] == port["uuid"]
    assert {"direction": "ingress", "protocol": "icmp",
            "port_range_min": None, "port_range_max": None,
            "remote_cidr": None, "ethertype": "IPv4",
            "remote_group_id": None} in filters[0]["rules"]
    net_api.compute_rpc.calls.clear()
    net_api.delete_security_group_rule(alice, rule["id"])
    (cast,) = net_api.compute_rpc.named("refresh_port_filters")
    assert not [r for r in cast[1][1][0]["rules"]
                if r["protocol"] == "icmp"]


def test_remote_group_rules_list_the_members_addresses(net_api, net, admin,
                                                       alice):
    _i1, p1 = _server(net_api, admin, net, [], host="c-1")
    vifs = net_api.get_instance_nw_info(admin, _i1)
    assert vifs[0]["rules"] == []  # views skip rules
    net_api.compute_rpc.calls.clear()
    _i2, p2 = _server(net_api, admin, net, [], host="c-2")
    a1 = net_api.db.networks.fixed_ips_of_ports(admin, [p1["uuid"]])[
        p1["uuid"]][0]
    a2 = net_api.db.networks.fixed_ips_of_ports(admin, [p2["uuid"]])[
        p2["uuid"]][0]
    rules = records.port_rules(admin, net_api.db, [p1["uuid"]])[0][p1["uuid"]]
    ingress = sorted(r["remote_cidr"] for r in rules
                     if r["direction"] == "ingress")
    assert ingress == sorted([f"{a1}/32", f"{a2}/32"])


def test_adding_a_group_to_a_server_refilters_its_ports(net_api, net,
                                                        admin, alice):
    instance, port = _server(net_api, admin, net, [], host="c-3")
    net_api.create_security_group(alice, "web")
    net_api.compute_rpc.calls.clear()
    net_api.add_security_group_to_instance(alice, instance, "web")
    names = [g["name"] for g in
             net_api.list_instance_security_groups(alice, instance)]
    assert names == ["default", "web"]
    assert net_api.compute_rpc.named("refresh_port_filters")[0][1][0] == \
        "c-3"
    web = [g for g in net_api.list_security_groups(alice)
           if g["name"] == "web"][0]
    with pytest.raises(exception.SecurityGroupInUse):
        net_api.delete_security_group(alice, web["id"])
    net_api.remove_security_group_from_instance(alice, instance, "web")
    assert [g["name"] for g in net_api.list_instance_security_groups(
        alice, instance)] == ["default"]
    with pytest.raises(exception.InvalidInput):
        net_api.remove_security_group_from_instance(alice, instance, "web")
    with pytest.raises(exception.SecurityGroupNotFound):
        net_api.add_security_group_to_instance(alice, instance, "nope")
    net_api.delete_security_group(alice, web["id"])


def test_security_group_quota(net_api, admin, alice):
    net_api.db.quotas.set_project(admin, "p1", {"security_group": 2})
    net_api.create_security_group(alice, "one")  # + default = 2
    with pytest.raises(exception.OverQuota):
        net_api.create_security_group(alice, "two")


def test_floating_ip_lifecycle_with_nat_casts(net_api, net, ext, admin,
                                              alice, bob):
    _instance, port = _server(net_api, admin, net, [], host="c-1")
    fip = net_api.create_floating_ip(alice, ext["id"])
    assert fip["status"] == "DOWN" and fip["port_id"] is None
    assert fip["floating_network_id"] == ext["id"]
    with pytest.raises(exception.FloatingIpNotFound):
        net_api.get_floating_ip(bob, fip["id"])
    bound = net_api.update_floating_ip(alice, fip["id"],
                                       port_id=port["uuid"])
    fixed = net_api.get_port(alice, port["uuid"])["fixed_ips"][0][
        "ip_address"]
    assert (bound["status"], bound["fixed_ip_address"]) == ("ACTIVE", fixed)
    (add,) = net_api.network_rpc.named("add_floating_ip")
    floating = add[1][0]
    assert add[2] == {"host": None}  # unclaimed network: any service
    assert (floating["address"], floating["fixed_address"]) == \
        (fip["floating_ip_address"], fixed)
    assert floating["external_network"]["id"] == ext["id"]
    assert floating["network"]["id"] == net["id"]
    vifs = net_api.get_instance_nw_info(alice, _instance)
    assert vifs[0]["floating_ips"] == {fixed: [fip["floating_ip_address"]]}
    net_api.update_floating_ip(alice, fip["id"], port_id=None)
    assert net_api.network_rpc.named("remove_floating_ip")
    net_api.delete_floating_ip(alice, fip["id"])
    assert net_api.list_floating_ips(alice) == []


def test_floating_pool_exhaustion_and_quota(net_api, ext, admin, alice):
    for _ in range(5):
        net_api.create_floating_ip(alice, "public")
    with pytest.raises(exception.NoMoreFloatingIps):
        net_api.create_floating_ip(alice, ext["id"])
    net_api.db.quotas.set_project(admin, "p2", {"floatingip": 0})
    with pytest.raises(exception.OverQuota):
        net_api.create_floating_ip(user("p2"), ext["id"])


def test_floating_ips_only_on_external_networks(net_api, net, alice):
    with pytest.raises(exception.InvalidInput):
        net_api.create_floating_ip(alice, net["id"])
    with pytest.raises(exception.FloatingIpPoolNotFound):
        net_api.create_floating_ip(alice, "nowhere")


def test_deleting_a_port_disassociates_its_floating_ip(net_api, net, ext,
                                                       alice):
    port = net_api.create_port(alice, net["id"])
    fip = net_api.create_floating_ip(alice, ext["id"], port_id=port["id"])
    assert fip["port_id"] == port["id"]
    net_api.delete_port(alice, port["id"])
    assert net_api.get_floating_ip(alice, fip["id"])["port_id"] is None
    assert net_api.network_rpc.named("remove_floating_ip")
