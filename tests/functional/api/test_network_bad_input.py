"""Bad input to the network dialect: a 4xx with Neutron's error body
naming what is wrong, never a 5xx, and nothing half-written."""

import pytest
import requests

from tests.functional.api.policy_matrix import Env

V2 = "/network/v2.0"


@pytest.fixture
def env(cloud):
    env = Env(cloud)
    net = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "bad-net", "project_id": env.ids["demo"]}})["network"]
    env.call("admin", "POST", V2 + "/subnets", {"subnet": {
        "network_id": net["id"], "cidr": "10.60.0.0/24", "ip_version": 4}})
    env.ids["net"] = net["id"]
    return env


def neutron_error(resp, status, *words):
    assert resp.status_code == status, resp.text
    error = resp.json()["NeutronError"]
    assert set(error) == {"type", "message", "detail"}
    for word in words:
        assert word in error["message"], error
    return error


def networks(env):
    return {n["name"] for n in env.call("admin", "GET",
                                        V2 + "/networks")["networks"]}


@pytest.mark.parametrize("body, words", [
    ({"network": {"name": "x", "bogus": 1}}, ["bogus"]),
    ({"network": {"name": 5}}, ["network/name"]),
    ({"network": {"name": "x", "provider:network_type": "vxlan"}},
     ["provider:network_type"]),
    ({"network": {"name": "x", "provider:network_type": "vlan"}},
     ["provider:segmentation_id"]),
    ({"network": {"name": "x", "provider:network_type": "vlan",
                  "provider:segmentation_id": "5000"}},
     ["provider:segmentation_id"]),
    ({"network": {"name": "x", "provider:segmentation_id": 7}},
     ["provider:network_type"]),
    ({"network": {"name": "x", "admin_state_up": False}},
     ["admin_state_up"]),
    ({"network": {"name": "x", "mtu": 10}}, ["mtu"]),
    ({"network": {"name": "x", "provider:network_type": "vlan",
                  "provider:segmentation_id": 9,
                  "provider:physical_network": "elsewhere"}},
     ["provider:physical_network"]),
    ({"networks": [{"name": "x"}]}, ["bulk"]),
    ({"network": "x"}, ["network"]),
    ([], ["body"]),
])
def test_bad_network_bodies(env, body, words):
    resp = env.request("admin", "POST", V2 + "/networks", body)
    neutron_error(resp, 400, *words)
    assert "x" not in networks(env)


@pytest.mark.parametrize("subnet, words", [
    ({"cidr": "10.61.0.0/33"}, ["cidr"]),
    ({"cidr": "10.61.0.5/24"}, ["cidr", "10.61.0.0/24"]),
    ({"cidr": "10.61.0.0/24", "ip_version": 6}, ["ip_version"]),
    ({"cidr": "10.61.0.0/24", "gateway_ip": "10.62.0.1"}, ["gateway_ip"]),
    ({"cidr": "10.61.0.0/24", "allocation_pools": [
        {"start": "10.61.0.50", "end": "10.61.0.10"}]},
     ["allocation_pools"]),
    ({"cidr": "10.61.0.0/24", "allocation_pools": [
        {"start": "10.61.0.1", "end": "10.61.0.10"}]},
     ["allocation_pools"]),
    ({"cidr": "10.61.0.0/24", "dns_nameservers": ["not-an-ip"]},
     ["dns_nameservers"]),
    ({"cidr": "nonsense"}, ["cidr"]),
])
def test_bad_subnets_leave_the_network_without_one(env, subnet, words):
    net = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "empty"}})["network"]
    resp = env.request("admin", "POST", V2 + "/subnets", {"subnet": dict(
        {"network_id": net["id"], "ip_version": 4}, **subnet)})
    neutron_error(resp, 400, *words)
    assert env.call("admin", "GET", V2 + "/networks/" + net["id"])[
        "network"]["subnets"] == []


def test_conflicts_and_missing_things(env):
    resp = env.request("admin", "POST", V2 + "/subnets", {"subnet": {
        "network_id": env.ids["net"], "cidr": "10.63.0.0/24",
        "ip_version": 4}})
    assert neutron_error(resp, 409, "already has subnet")["type"] == \
        "Conflict"
    # An overlapping range on another network.
    other = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "overlap"}})["network"]
    resp = env.request("admin", "POST", V2 + "/subnets", {"subnet": {
        "network_id": other["id"], "cidr": "10.60.0.0/16",
        "ip_version": 4}})
    assert resp.status_code in (400, 409), resp.text
    neutron_error(resp, resp.status_code)
    missing = "00000000-0000-4000-8000-0000000000ff"
    for path, kind in (("/networks/", "NetworkNotFound"),
                       ("/ports/", "PortNotFound"),
                       ("/security-groups/", "SecurityGroupNotFound"),
                       ("/floatingips/", "FloatingIPNotFound")):
        resp = env.request("member", "GET", V2 + path + missing)
        assert neutron_error(resp, 404, missing)["type"] == kind
    resp = env.request("member", "POST", V2 + "/ports", {"port": {
        "network_id": missing}})
    assert neutron_error(resp, 404)["type"] == "NetworkNotFound"
    port = env.call("member", "POST", V2 + "/ports", {"port": {
        "network_id": env.ids["net"], "fixed_ips": [
            {"ip_address": "10.60.0.9"}]}})["port"]
    assert port["fixed_ips"][0]["ip_address"] == "10.60.0.9"
    resp = env.request("member", "POST", V2 + "/ports", {"port": {
        "network_id": env.ids["net"], "fixed_ips": [
            {"ip_address": "10.60.0.9"}]}})
    neutron_error(resp, 409, "10.60.0.9")
    resp = env.request("admin", "DELETE", V2 + "/networks/" + env.ids["net"])
    assert neutron_error(resp, 409)["type"] == "NetworkInUse"
    # Another project's port is not found, not forbidden.
    resp = env.request("other", "PUT", V2 + "/ports/" + port["id"],
                       {"port": {"name": "mine"}})
    neutron_error(resp, 404)


@pytest.mark.parametrize("rule, words", [
    ({"protocol": "tcp", "port_range_min": 30, "port_range_max": 20},
     ["port_range_min"]),
    ({"protocol": "tcp", "port_range_min": 70000, "port_range_max": 70000},
     ["port_range_min"]),
    ({"protocol": None, "port_range_min": 22, "port_range_max": 22},
     ["port_range_min"]),
    ({"protocol": "icmp", "port_range_min": 300}, ["port_range_min"]),
    ({"protocol": "gopher"}, ["protocol"]),
    ({"protocol": "tcp", "remote_ip_prefix": "10.0.0.0/99"},
     ["remote_ip_prefix"]),
    ({"protocol": "tcp", "ethertype": "IPv5"}, ["ethertype"]),
    # Refused, not recorded and ignored: nimbus networks are IPv4 only.
    ({"protocol": "tcp", "ethertype": "IPv6"}, ["ethertype", "IPv4"]),
    ({"ethertype": "IPv6", "remote_ip_prefix": "2001:db8::/64"},
     ["remote_ip_prefix"]),
    ({"direction": "sideways"}, ["direction"]),
])
def test_bad_security_group_rules(env, rule, words):
    group = env.call("member", "POST", V2 + "/security-groups", {
        "security_group": {"name": "g"}})["security_group"]
    body = dict({"security_group_id": group["id"], "direction": "ingress"},
                **rule)
    resp = env.request("member", "POST", V2 + "/security-group-rules",
                       {"security_group_rule": body})
    neutron_error(resp, 400, *words)
    after = env.call("member", "GET", V2 + "/security-groups/" + group["id"])
    assert after["security_group"]["security_group_rules"] == \
        group["security_group_rules"]


@pytest.mark.parametrize("query, word", [
    ({"bogus": "1"}, "bogus"),
    ({"shared": "perhaps"}, "shared"),
    ({"sort_key": "nope"}, "sort_key"),
    ({"sort_key": "name", "sort_dir": "sideways"}, "sort_dir"),
    ({"limit": "many"}, "limit"),
    ({"limit": "1", "marker": "00000000-0000-4000-8000-0000000000ff"},
     "marker"),
])
def test_bad_list_queries(env, query, word):
    resp = env.request("member", "GET", V2 + "/networks", query=query)
    neutron_error(resp, 400, word)


def test_malformed_and_odd_requests(env):
    url = env.url + V2 + "/networks"
    token = {"X-Auth-Token": env.tokens["admin"]}
    resp = requests.post(url, data=b"{not json", headers=dict(
        token, **{"Content-Type": "application/json"}), timeout=10)
    neutron_error(resp, 400)
    resp = requests.post(url, data=b"a=b", headers=dict(
        token, **{"Content-Type": "application/x-www-form-urlencoded"}),
        timeout=10)
    neutron_error(resp, 415)
    resp = requests.patch(url + "/" + env.ids["net"], json={}, headers=token,
                          timeout=10)
    neutron_error(resp, 405)
    resp = requests.get(env.url + V2 + "/routers", headers=token,
                        timeout=10)
    neutron_error(resp, 404)
    resp = requests.get(url, timeout=10)
    assert neutron_error(resp, 401)["type"] == "Unauthenticated"
    big = {"network": {"name": "x" * 200000}}
    neutron_error(requests.post(url, json=big, headers=token, timeout=10),
                  413)
