"""Pure translations of the compute dialect's networking: addresses from
VIF dicts, Nova's security group and rule shapes from the network
service's, Nova's rule requests to the service's, os-networks bodies."""

import pytest

from nimbus.api.openstack.controllers import networks, security_groups
from nimbus.api.openstack.views import addresses
from nimbus.core import exception

G1 = "6a7f1d8e-2b3c-4d5e-8f90-000000000001"
G2 = "6a7f1d8e-2b3c-4d5e-8f90-000000000002"


def _vif(name, mac, fixed, floating=None):
    return {"id": "p-" + mac[-2:], "mac": mac, "network": {"name": name},
            "fixed_ips": fixed, "floating_ips": floating or {}}


def test_addresses_fixed_then_their_floating_per_network():
    vifs = [_vif("private", "fa:16:3e:00:00:01", ["10.0.0.3"],
                 {"10.0.0.3": ["172.24.4.10"]}),
            _vif("blue", "fa:16:3e:00:00:02", ["10.9.0.4"])]
    assert addresses.addresses(vifs) == {
        "private": [
            {"version": 4, "addr": "10.0.0.3", "OS-EXT-IPS:type": "fixed",
             "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"},
            {"version": 4, "addr": "172.24.4.10",
             "OS-EXT-IPS:type": "floating",
             "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}],
        "blue": [{"version": 4, "addr": "10.9.0.4",
                  "OS-EXT-IPS:type": "fixed",
                  "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:02"}]}
    assert addresses.addresses(vifs, extended=False)["private"] == [
        {"version": 4, "addr": "10.0.0.3"},
        {"version": 4, "addr": "172.24.4.10"}]
    assert addresses.addresses([]) == {}


def _rule(**kw):
    rule = {"id": "r1", "security_group_id": G1, "direction": "ingress",
            "ethertype": "IPv4", "protocol": None, "port_range_min": None,
            "port_range_max": None, "remote_ip_prefix": None,
            "remote_group_id": None, "project_id": "p1"}
    rule.update(kw)
    return rule


def test_group_view_shows_ingress_rules_in_nova_shape():
    group = {"id": G1, "name": "web", "description": "d",
             "project_id": "p1", "security_group_rules": [
                 _rule(id="r1", protocol="tcp", port_range_min=22,
                       port_range_max=22, remote_ip_prefix="10.0.0.0/8"),
                 _rule(id="r2", protocol="icmp"),
                 _rule(id="r3", protocol="udp"),
                 _rule(id="r4", remote_group_id=G2),
                 _rule(id="r5", direction="egress")]}
    other = {"id": G2, "name": "db", "project_id": "p1"}
    view = security_groups.group_view(group, {G2: other})
    assert (view["id"], view["name"], view["tenant_id"]) == (G1, "web",
                                                             "p1")
    by_id = {r["id"]: r for r in view["rules"]}
    assert set(by_id) == {"r1", "r2", "r3", "r4"}
    assert by_id["r1"] == {"id": "r1", "parent_group_id": G1,
                           "ip_protocol": "tcp", "from_port": 22,
                           "to_port": 22, "group": {},
                           "ip_range": {"cidr": "10.0.0.0/8"}}
    assert (by_id["r2"]["from_port"], by_id["r2"]["to_port"]) == (-1, -1)
    assert (by_id["r3"]["from_port"], by_id["r3"]["to_port"]) == (1, 65535)
    assert by_id["r2"]["ip_range"] == {"cidr": "0.0.0.0/0"}
    assert by_id["r4"]["group"] == {"name": "db", "tenant_id": "p1"}
    assert by_id["r4"]["ip_range"] == {}


@pytest.mark.parametrize("request_, expected", [
    ({"ip_protocol": "TCP", "from_port": "80", "to_port": 81,
      "cidr": "10.1.2.3/8"},
     {"protocol": "tcp", "port_range_min": 80, "port_range_max": 81,
      "remote_ip_prefix": "10.0.0.0/8", "remote_group_id": None}),
    ({"ip_protocol": "icmp", "from_port": -1, "to_port": -1},
     {"protocol": "icmp", "port_range_min": None, "port_range_max": None,
      "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": None}),
    ({"ip_protocol": "icmp", "from_port": 8, "to_port": 0},
     {"protocol": "icmp", "port_range_min": 8, "port_range_max": 0,
      "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": None}),
    ({"group_id": G2},
     {"protocol": None, "port_range_min": None, "port_range_max": None,
      "remote_ip_prefix": None, "remote_group_id": G2}),
])
def test_rule_requests_become_service_rules(request_, expected):
    rule = security_groups.rule_from_request(request_)
    assert rule == dict(expected, direction="ingress", ethertype="IPv4")


@pytest.mark.parametrize("request_", [
    {}, {"ip_protocol": "sctp", "from_port": 1, "to_port": 2},
    {"ip_protocol": "tcp", "from_port": 2, "to_port": 1},
    {"ip_protocol": "tcp"}, {"from_port": 1, "to_port": 2},
    {"ip_protocol": "icmp", "from_port": 256, "to_port": 0},
    {"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "x"},
    {"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "::/0"},
    {"ip_protocol": "tcp", "from_port": 1, "to_port": 2,
     "cidr": "10.0.0.0/8", "group_id": G2},
])
def test_bad_rule_requests(request_):
    with pytest.raises(exception.Invalid):
        security_groups.rule_from_request(request_)


def test_os_networks_view_user_and_admin():
    network = {"id": "n1", "name": "private", "cidr": "10.0.0.0/24",
               "gateway": "10.0.0.1", "dns_servers": ["8.8.8.8"],
               "bridge": "br100", "vlan": 100, "project_id": "p1",
               "multi_host": False, "mtu": 1500, "dhcp_enabled": True,
               "allocation_start": "10.0.0.2", "created_at": None,
               "updated_at": None}
    user = networks.network_view(network, is_admin=False)
    assert user == {"id": "n1", "label": "private", "cidr": "10.0.0.0/24",
                    "netmask": "255.255.255.0", "broadcast": "10.0.0.255",
                    "gateway": "10.0.0.1", "dns1": "8.8.8.8", "dns2": None,
                    "cidr_v6": None, "gateway_v6": None,
                    "netmask_v6": None}
    admin = networks.network_view(network, is_admin=True)
    assert admin["vlan"] == 100 and admin["bridge"] == "br100"
    assert admin["enable_dhcp"] is True and admin["dhcp_start"] == \
        "10.0.0.2"
    assert set(user) < set(admin)
