"""Neutron's bodies from the network service's dicts, and the dialect's
own checks of subnet and rule bodies."""

import datetime

import pytest

from nimbus.api.network import resources, views
from nimbus.core import exception

NET = {"id": "n1", "name": "private", "project_id": "p1", "shared": False,
       "external": False, "cidr": "10.0.0.0/24", "gateway": "10.0.0.1",
       "vlan": 100, "mtu": None, "dhcp_enabled": True,
       "allocation_start": "10.0.0.2", "allocation_end": "10.0.0.254",
       "dns_servers": ["192.0.2.53"], "subnet_id": "s1",
       "subnet_name": "", "status": "ACTIVE",
       "created_at": datetime.datetime(2026, 1, 2, 3, 4, 5, 678),
       "updated_at": None}


def test_network_body_has_what_clients_iterate():
    body = views.network(NET)
    assert body["subnets"] == ["s1"]
    assert body["router:external"] is False and body["admin_state_up"]
    assert body["tenant_id"] == body["project_id"] == "p1"
    assert body["provider:segmentation_id"] == 100
    assert body["provider:network_type"] == "vlan"
    assert body["created_at"] == body["updated_at"] == "2026-01-02T03:04:05Z"
    assert body["mtu"] == 1500 and body["tags"] == []
    assert "provider:network_type" not in views.network(NET, provider=False)
    flat = views.network(dict(NET, vlan=None, cidr=""))
    assert flat["provider:network_type"] == "flat" and flat["subnets"] == []


def test_subnet_body_lists_are_never_null():
    body = views.subnet(dict(NET, dns_servers=None, allocation_start=None))
    assert body["allocation_pools"] == []
    assert body["dns_nameservers"] == [] and body["host_routes"] == []
    full = views.subnet(NET)
    assert full["allocation_pools"] == [{"start": "10.0.0.2",
                                         "end": "10.0.0.254"}]
    assert (full["id"], full["network_id"], full["gateway_ip"]) == \
        ("s1", "n1", "10.0.0.1")


def test_port_and_group_bodies():
    port = views.port({"id": "x", "network_id": "n1", "mac_address": "m",
                       "fixed_ips": [{"subnet_id": "s1",
                                      "ip_address": "10.0.0.3"}],
                       "device_id": None, "security_groups": None,
                       "host": "h1"}, binding=False)
    assert port["device_id"] == "" and port["security_groups"] == []
    assert "binding:host_id" not in port
    group = views.security_group({"id": "g", "name": "web",
                                  "security_group_rules": None})
    assert group["security_group_rules"] == []


@pytest.mark.parametrize("attrs, attribute", [
    ({"cidr": "10.0.0.5/24"}, "cidr"),
    ({"cidr": "10.0.0.0/30"}, "cidr"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.1.1"}, "gateway_ip"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.255"}, "gateway_ip"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [
        {"start": "10.0.0.1", "end": "10.0.0.9"}]}, "allocation_pools"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [
        {"start": "10.0.0.20", "end": "10.0.0.10"}]}, "allocation_pools"),
])
def test_bad_subnets_name_the_attribute(attrs, attribute):
    with pytest.raises(exception.ValidationError) as err:
        resources.subnet_changes(attrs)
    assert attribute in err.value.message


def test_a_null_gateway_means_none():
    changes = resources.subnet_changes({"cidr": "10.0.0.0/29",
                                        "gateway_ip": None})
    assert changes["gateway"] is False


def test_subnet_defaults_follow_neutron():
    assert resources.subnet_changes({"cidr": "10.0.0.0/24",
                                     "name": "s"}) == {
        "cidr": "10.0.0.0/24", "gateway": "10.0.0.1", "subnet_name": "s"}
    changes = resources.subnet_changes({
        "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.254",
        "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"}],
        "dns_nameservers": ["192.0.2.1"], "enable_dhcp": False})
    assert changes == {"cidr": "10.0.0.0/24", "gateway": "10.0.0.254",
                       "allocation_start": "10.0.0.10",
                       "allocation_end": "10.0.0.20",
                       "dns_servers": ["192.0.2.1"], "dhcp_enabled": False}


@pytest.mark.parametrize("attrs, expected", [
    ({"protocol": "TCP", "port_range_min": 22, "port_range_max": 22},
     ("tcp", 22, 22, None)),
    ({"protocol": "6"}, ("tcp", None, None, None)),
    ({"protocol": 1, "port_range_min": 8}, ("icmp", 8, None, None)),
    ({"protocol": "any", "remote_ip_prefix": "10.1.2.3"},
     (None, None, None, "10.1.2.3/32")),
    ({"protocol": "47"}, ("47", None, None, None)),
])
def test_rules_normalize_as_neutron(attrs, expected):
    fields = resources.rule_fields(dict(attrs, direction="ingress"))
    assert (fields["protocol"], fields["port_range_min"],
            fields["port_range_max"], fields["remote_ip_prefix"]) == expected


@pytest.mark.parametrize("attrs, attribute", [
    ({"protocol": "tcp", "port_range_min": 22}, "port_range_min"),
    ({"protocol": "udp", "port_range_min": 0, "port_range_max": 5},
     "port_range_min"),
    ({"protocol": "icmp", "port_range_max": 3}, "port_range_min"),
    ({"protocol": "47", "port_range_min": 1, "port_range_max": 2},
     "port_range_min"),
    ({"protocol": "300"}, "protocol"),
    ({"remote_ip_prefix": "10.0.0.0/8",
      "remote_group_id": "00000000-0000-4000-8000-000000000000"},
     "remote_ip_prefix"),
])
def test_bad_rules_name_the_attribute(attrs, attribute):
    with pytest.raises(exception.ValidationError) as err:
        resources.rule_fields(dict(attrs, direction="ingress"))
    assert attribute in err.value.message
