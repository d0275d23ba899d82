"""The compute API's networking: ``networks``/``security_groups`` on
create, ``addresses`` in server bodies, ``os-networks``,
``os-security-groups`` (+ rules), the security-group actions,
``os-virtual-interfaces`` and ``os-interface`` hot-plug, against the
embedded stack (fake hypervisor, fake network plugin)."""

import time

import pytest
import requests

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def network_api(stack):
    """The network service API over the stack's database."""
    from nimbus.core.db import api as db_api
    from nimbus.core.network import api as network_api_module
    return network_api_module.NetworkAPI(stack.conf, db_api)


class Api:
    def __init__(self, stack, token="demo:demo"):
        self.url = stack.url + "/v2.1"
        self.token = token

    def request(self, method, path, body=None, headers=None, **params):
        headers = dict(headers or {}, **{"X-Auth-Token": self.token})
        return requests.request(method, self.url + path, json=body,
                                params=params or None, headers=headers,
                                timeout=30)

    def ok(self, method, path, body=None, status=None, **params):
        resp = self.request(method, path, body, **params)
        assert resp.status_code < 300, (method, path, resp.status_code,
                                        resp.text)
        if status is not None:
            assert resp.status_code == status, resp.text
        return resp.json() if resp.content else None

    def fault(self, method, path, body=None, status=None, headers=None):
        resp = self.request(method, path, body, headers=headers)
        assert resp.status_code == status, (resp.status_code, resp.text)
        (name, fault), = resp.json().items()
        assert fault["code"] == status
        return fault["message"]

    def boot(self, name="vm", wait=True, **extra):
        body = {"server": dict({"name": name, "imageRef": DEMO_IMAGE,
                                "flavorRef": "1"}, **extra)}
        server = self.ok("POST", "/servers", body, status=202)["server"]
        if wait:
            self.wait(server["id"], "ACTIVE")
        return server

    def wait(self, server_id, status, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            server = self.ok("GET", f"/servers/{server_id}")["server"]
            if server["status"] == status and \
                    not server["OS-EXT-STS:task_state"]:
                return server
            assert server["status"] != "ERROR", server.get("fault")
            assert time.monotonic() < deadline, server["status"]
            time.sleep(0.05)

    def server_count(self):
        return len(self.ok("GET", "/servers")["servers"])


@pytest.fixture
def api(stack):
    return Api(stack)


@pytest.fixture
def admin(stack):
    return Api(stack, "admin:admin")


def _network(stack, name, cidr, project_id=None, shared=True):
    from nimbus.core import context
    return network_api(stack).create_network(
        context.get_admin_context(), name, cidr, project_id=project_id,
        shared=shared)


def test_default_network_addresses_in_views(api):
    server = api.boot("a1")
    shown = api.ok("GET", f"/servers/{server['id']}")["server"]
    (label, entries), = shown["addresses"].items()
    assert label == "private"
    entry, = entries
    assert entry["version"] == 4
    assert entry["OS-EXT-IPS:type"] == "fixed"
    assert entry["addr"].startswith("10.0.0.")
    assert entry["OS-EXT-IPS-MAC:mac_addr"].startswith("fa:16:3e:")
    assert shown["security_groups"] == [{"name": "default"}]
    listed, = api.ok("GET", "/servers/detail")["servers"]
    assert listed["addresses"] == shown["addresses"]
    ips = api.ok("GET", f"/servers/{server['id']}/ips")
    assert ips == {"addresses": {"private": [{"version": 4,
                                              "addr": entry["addr"]}]}}
    assert api.ok("GET", f"/servers/{server['id']}/ips/private") == {
        "private": [{"version": 4, "addr": entry["addr"]}]}
    api.fault("GET", f"/servers/{server['id']}/ips/nope", status=404)


def test_detail_list_reads_the_network_once(stack, api, monkeypatch):
    from nimbus.core.network import api as network_api_module
    for index in range(3):
        api.boot(f"m{index}", wait=False)
    cls = network_api_module.NetworkAPI
    calls = []
    for name in ("get_nw_info_bulk", "get_instance_nw_info",
                 "get_security_group_names_bulk",
                 "list_instance_security_groups"):
        original = getattr(cls, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(cls, name, spy)
    servers = api.ok("GET", "/servers/detail")["servers"]
    assert len(servers) == 3
    assert sorted(calls) == ["get_nw_info_bulk",
                             "get_security_group_names_bulk"]


def test_networks_on_create(stack, api):
    net = _network(stack, "blue", "10.77.0.0/24")
    server = api.boot("b1", networks=[{"uuid": net["id"],
                                       "fixed_ip": "10.77.0.50"}])
    shown = api.ok("GET", f"/servers/{server['id']}")["server"]
    assert [e["addr"] for e in shown["addresses"]["blue"]] == ["10.77.0.50"]
    assert "private" not in shown["addresses"]
    before = api.server_count()
    # a taken fixed IP: 409, and no server recorded
    api.fault("POST", "/servers", {"server": {
        "name": "b2", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "networks": [{"uuid": net["id"], "fixed_ip": "10.77.0.50"}]}},
        status=409)
    # an unknown network: 400 (Nova's), nothing recorded
    message = api.fault("POST", "/servers", {"server": {
        "name": "b3", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "networks": [{"uuid": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"}]}},
        status=400)
    assert "6a7f1d8e-2b3c-4d5e-8f90-123456789abc" in message
    assert api.server_count() == before


def test_networks_at_2_37_required_auto_none(stack, api):
    """2.37 (Nova's): ``networks`` is required; ``none`` gives no NIC,
    ``auto`` the network the project would get without ``networks``
    below 2.37, and with no such network Nova's 400."""
    v37 = {"OpenStack-API-Version": "compute 2.37"}

    def create(name, **extra):
        return api.request("POST", "/servers", {"server": dict(
            {"name": name, "imageRef": DEMO_IMAGE, "flavorRef": "1"},
            **extra)}, headers=v37)

    resp = create("missing")
    assert resp.status_code == 400, resp.text
    assert "'networks' is a required property" in \
        resp.json()["badRequest"]["message"]
    resp = create("empty", networks=[])
    assert resp.status_code == 400, resp.text
    assert api.server_count() == 0
    resp = create("none", networks="none")
    assert resp.status_code == 202, resp.text
    bare = api.wait(resp.json()["server"]["id"], "ACTIVE")
    assert bare["addresses"] == {}
    resp = create("auto", networks="auto")
    assert resp.status_code == 202, resp.text
    auto = api.wait(resp.json()["server"]["id"], "ACTIVE")
    assert list(auto["addresses"]) == ["private"]
    # No network the project can use: auto is a 400, nothing recorded;
    # below 2.37, no networks still means no NIC.
    from nimbus.core import context
    net_api, admin_ctx = network_api(stack), context.get_admin_context()
    for sid in (bare["id"], auto["id"]):
        api.ok("DELETE", f"/servers/{sid}")
    deadline = time.monotonic() + 20
    while api.server_count():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    private, = net_api.list_networks(admin_ctx)
    net_api.delete_network(admin_ctx, private["id"])
    resp = create("nowhere", networks="auto")
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == (
        "Unable to automatically allocate a network for project demo")
    assert api.server_count() == 0
    old = api.boot("old")
    assert old["id"] and api.wait(old["id"], "ACTIVE")["addresses"] == {}


@pytest.mark.parametrize("networks, words", [
    ([{"uuid": "not-a-uuid"}], "network uuid is not in proper format"),
    ([{"fixed_ip": "10.0.0.9"}], "missing 'uuid'"),
    ([{"uuid": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc",
       "fixed_ip": "10.0.0.999"}], "Invalid fixed IP address"),
    ([{"port": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc",
       "fixed_ip": "10.0.0.9"}], "cannot be specified together"),
    ([{"uuid": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc", "bogus": 1}],
     "Additional properties"),
    # "auto"/"none" came with 2.37; below it they are malformed.
    ("auto", "server/networks"),
    ("none", "server/networks"),
])
def test_malformed_networks_are_400_and_record_nothing(api, networks,
                                                       words):
    message = api.fault("POST", "/servers", {"server": {
        "name": "bad", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "networks": networks}}, status=400)
    assert words in message
    assert api.server_count() == 0


def test_fixed_ip_with_several_servers_is_400(stack, api):
    net = _network(stack, "green", "10.78.0.0/24")
    message = api.fault("POST", "/servers", {"server": {
        "name": "many", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "min_count": 2, "max_count": 2,
        "networks": [{"uuid": net["id"], "fixed_ip": "10.78.0.9"}]}},
        status=400)
    assert "max_count cannot be greater than 1" in message


def test_os_networks(stack, api, admin):
    net = _network(stack, "red", "10.79.0.0/24")
    listed = api.ok("GET", "/os-networks")["networks"]
    by_label = {n["label"]: n for n in listed}
    assert {"private", "red"} <= set(by_label)
    red = by_label["red"]
    assert red["id"] == net["id"]
    assert red["cidr"] == "10.79.0.0/24"
    assert red["netmask"] == "255.255.255.0"
    assert red["broadcast"] == "10.79.0.255"
    assert "vlan" not in red and "project_id" not in red
    assert api.ok("GET", f"/os-networks/{net['id']}")["network"] == red
    full = admin.ok("GET", f"/os-networks/{net['id']}")["network"]
    assert full["bridge"] and "vlan" in full and "enable_dhcp" in full
    # a name is a 404 (the client then lists and matches the label)
    api.fault("GET", "/os-networks/red", status=404)


def test_other_projects_network_is_hidden(stack, api):
    mine = _network(stack, "theirs", "10.80.0.0/24",
                    project_id="someone-else", shared=False)
    labels = {n["label"] for n in api.ok("GET", "/os-networks")["networks"]}
    assert "theirs" not in labels
    api.fault("GET", f"/os-networks/{mine['id']}", status=404)
    api.fault("POST", "/servers", {"server": {
        "name": "sneaky", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "networks": [{"uuid": mine["id"]}]}}, status=400)


def test_security_groups_proxy(api):
    group = api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "web", "description": "web servers"}})["security_group"]
    assert group["name"] == "web" and group["rules"] == []
    rule = api.ok("POST", "/os-security-group-rules", {
        "security_group_rule": {
            "parent_group_id": group["id"], "ip_protocol": "tcp",
            "from_port": 80, "to_port": 80,
            "cidr": "10.0.0.0/8"}})["security_group_rule"]
    assert rule["parent_group_id"] == group["id"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == \
        ("tcp", 80, 80)
    assert rule["ip_range"] == {"cidr": "10.0.0.0/8"}
    icmp = api.ok("POST", "/os-security-group-rules", {
        "security_group_rule": {
            "parent_group_id": group["id"], "ip_protocol": "icmp",
            "from_port": -1, "to_port": -1}})["security_group_rule"]
    assert (icmp["from_port"], icmp["to_port"]) == (-1, -1)
    assert icmp["ip_range"] == {"cidr": "0.0.0.0/0"}
    shown = api.ok("GET", f"/os-security-groups/{group['id']}")[
        "security_group"]
    assert {r["id"] for r in shown["rules"]} == {rule["id"], icmp["id"]}
    names = {g["name"] for g in api.ok("GET", "/os-security-groups")[
        "security_groups"]}
    assert {"default", "web"} <= names
    renamed = api.ok("PUT", f"/os-security-groups/{group['id']}", {
        "security_group": {"name": "www", "description": "d"}})
    assert renamed["security_group"]["name"] == "www"
    # a duplicate rule is a 400 in Nova's proxy
    api.fault("POST", "/os-security-group-rules", {"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp",
        "from_port": 80, "to_port": 80, "cidr": "10.0.0.0/8"}}, status=400)
    api.ok("DELETE", f"/os-security-group-rules/{rule['id']}", status=202)
    api.ok("DELETE", f"/os-security-groups/{group['id']}", status=202)
    api.fault("GET", f"/os-security-groups/{group['id']}", status=404)
    api.fault("GET", "/os-security-groups/www", status=404)


@pytest.mark.parametrize("rule, words", [
    ({"ip_protocol": "gre", "from_port": 1, "to_port": 2},
     "Invalid IP protocol"),
    ({"ip_protocol": "tcp", "from_port": 80, "to_port": 22},
     "Invalid port range"),
    ({"ip_protocol": "tcp", "from_port": 0, "to_port": 70000},
     "Invalid port range"),
    ({"ip_protocol": "icmp", "from_port": 300, "to_port": 0},
     "Invalid ICMP type"),
    ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2,
      "cidr": "10.0.0.0/8",
      "group_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"}, "not both"),
    ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2,
      "cidr": "10.0.0.0/33"}, "Invalid cidr"),
    ({}, "Not enough parameters"),
    ({"ip_protocol": "tcp", "from_port": "x", "to_port": 2},
     "security_group_rule/from_port"),
])
def test_bad_rules_are_400(api, rule, words):
    group = api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "g", "description": ""}})["security_group"]
    body = {"security_group_rule": dict(rule, parent_group_id=group["id"])}
    assert words in api.fault("POST", "/os-security-group-rules", body,
                              status=400)
    shown = api.ok("GET", f"/os-security-groups/{group['id']}")
    assert shown["security_group"]["rules"] == []


def test_server_security_groups(api):
    group = api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "db", "description": "databases"}})["security_group"]
    server = api.boot("sg1", security_groups=[{"name": "db"}])
    assert server["security_groups"] == [{"name": "db"}]
    path = f"/servers/{server['id']}"
    shown = api.ok("GET", path)["server"]
    assert shown["security_groups"] == [{"name": "db"}]
    api.ok("POST", path + "/action", {"addSecurityGroup": {
        "name": "default"}}, status=202)
    groups = api.ok("GET", path + "/os-security-groups")["security_groups"]
    assert {g["name"] for g in groups} == {"db", "default"}
    assert "already associated" in api.fault(
        "POST", path + "/action", {"addSecurityGroup": {"name": "db"}},
        status=400)
    api.ok("POST", path + "/action", {"removeSecurityGroup": {
        "name": group["id"]}}, status=202)
    shown = api.ok("GET", path)["server"]
    assert shown["security_groups"] == [{"name": "default"}]
    api.fault("POST", path + "/action", {"addSecurityGroup": {
        "name": "no-such-group"}}, status=404)
    api.fault("POST", path + "/action", {"addSecurityGroup": {}},
              status=400)


def test_unknown_security_group_on_create_is_refused(api):
    api.fault("POST", "/servers", {"server": {
        "name": "x", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "security_groups": [{"name": "nope"}]}}, status=400)
    assert api.server_count() == 0


def test_interfaces_hotplug(stack, api):
    net = _network(stack, "extra", "10.81.0.0/24")
    server = api.boot("nic")
    path = f"/servers/{server['id']}"
    first, = api.ok("GET", path + "/os-interface")["interfaceAttachments"]
    assert first["port_state"] == "ACTIVE"
    assert first["fixed_ips"][0]["ip_address"].startswith("10.0.0.")
    assert api.ok("GET", path + "/os-virtual-interfaces") == {
        "virtual_interfaces": [{"id": first["port_id"],
                                "mac_address": first["mac_addr"]}]}
    attached = api.ok("POST", path + "/os-interface", {
        "interfaceAttachment": {"net_id": net["id"], "fixed_ips": [
            {"ip_address": "10.81.0.20"}]}})["interfaceAttachment"]
    assert attached["net_id"] == net["id"]
    assert attached["fixed_ips"][0]["ip_address"] == "10.81.0.20"
    guest = _fake_driver(stack, server["id"])
    assert attached["port_id"] in guest.vifs(server["id"])
    shown = api.ok("GET", path)["server"]
    assert [e["addr"] for e in shown["addresses"]["extra"]] == \
        ["10.81.0.20"]
    assert api.ok("GET", path + f"/os-interface/{attached['port_id']}")[
        "interfaceAttachment"] == attached
    api.ok("DELETE", path + f"/os-interface/{attached['port_id']}",
           status=202)
    assert attached["port_id"] not in guest.vifs(server["id"])
    assert len(api.ok("GET", path + "/os-interface")[
        "interfaceAttachments"]) == 1
    assert "extra" not in api.ok("GET", path)["server"]["addresses"]
    api.fault("GET", path + f"/os-interface/{attached['port_id']}",
              status=404)


def _fake_driver(stack, server_id):
    for host in stack.conf.all.compute_hosts:
        driver = stack.compute(host).manager.driver
        if driver.instance_exists(server_id):
            return driver
    raise AssertionError(f"no fake host has {server_id}")


@pytest.mark.parametrize("body, words", [
    ({"interfaceAttachment": {
        "net_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc",
        "port_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abd"}},
     "Must not input both"),
    ({"interfaceAttachment": {"fixed_ips": [{"ip_address": "10.0.0.5"}]}},
     "Must input network_id"),
    ({"interfaceAttachment": {"net_id": "x"}}, "Invalid net_id"),
    ({"interfaceAttachment": {"bogus": 1}}, "Additional properties"),
])
def test_bad_interface_attach_is_400(api, body, words):
    server = api.boot("nic-bad")
    path = f"/servers/{server['id']}/os-interface"
    assert words in api.fault("POST", path, body, status=400)
    assert len(api.ok("GET", path)["interfaceAttachments"]) == 1


def test_attach_unknown_network_or_taken_address(stack, api):
    net = _network(stack, "busy", "10.82.0.0/24")
    api.boot("holder", networks=[{"uuid": net["id"],
                                  "fixed_ip": "10.82.0.30"}])
    server = api.boot("nic-err")
    path = f"/servers/{server['id']}/os-interface"
    api.fault("POST", path, {"interfaceAttachment": {
        "net_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"}}, status=404)
    api.fault("POST", path, {"interfaceAttachment": {
        "net_id": net["id"], "fixed_ips": [{"ip_address": "10.82.0.30"}]}},
        status=409)
    assert len(api.ok("GET", path)["interfaceAttachments"]) == 1
    assert set(_fake_driver(stack, server["id"]).vifs(server["id"])) == {
        p["port_id"] for p in api.ok("GET", path)["interfaceAttachments"]}


def test_hotplug_needs_the_capability(stack, api):
    import dataclasses
    for host in stack.conf.all.compute_hosts:
        manager = stack.compute(host).manager
        manager.driver.capabilities = dataclasses.replace(
            manager.driver.capabilities, vif_hotplug=False)
        manager._report_resources()  # what the next report would say
    server = api.boot("nohot")
    path = f"/servers/{server['id']}/os-interface"
    message = api.fault("POST", path, {"interfaceAttachment": {}},
                        status=409)
    assert "vif_hotplug" in message
    assert len(api.ok("GET", path)["interfaceAttachments"]) == 1


def test_hotplug_state_checks(api):
    server = api.boot("stopped")
    path = f"/servers/{server['id']}"
    api.ok("POST", path + "/action", {"suspend": None}, status=202)
    api.wait(server["id"], "SUSPENDED")
    api.fault("POST", path + "/os-interface", {"interfaceAttachment": {}},
              status=409)
    api.fault("GET", path + "/os-interface/not-a-port", status=404)


def test_network_quotas_under_novas_names(api, admin):
    project = "demo"
    quota = api.ok("GET", f"/os-quota-sets/{project}")["quota_set"]
    assert (quota["floating_ips"], quota["security_groups"],
            quota["security_group_rules"]) == (50, 10, 100)
    api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "q1", "description": ""}})
    limits = api.ok("GET", "/limits")["limits"]["absolute"]
    assert limits["maxSecurityGroups"] == 10
    assert limits["maxSecurityGroupRules"] == 100
    assert limits["maxTotalFloatingIps"] == 50
    # the project's default group and q1
    assert limits["totalSecurityGroupsUsed"] == 2
    assert limits["totalFloatingIpsUsed"] == 0
    updated = admin.ok("PUT", f"/os-quota-sets/{project}", {"quota_set": {
        "security_groups": 3, "floating_ips": 7}})["quota_set"]
    assert (updated["security_groups"], updated["floating_ips"]) == (3, 7)
    detail = api.ok("GET", f"/os-quota-sets/{project}/detail")["quota_set"]
    assert detail["security_groups"] == {"limit": 3, "in_use": 2,
                                         "reserved": 0}
    api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "q2", "description": ""}})
    api.fault("POST", "/os-security-groups", {"security_group": {
        "name": "q3", "description": ""}}, status=403)


def test_attach_without_network_takes_the_default(api):
    server = api.boot("nic-default")
    path = f"/servers/{server['id']}/os-interface"
    attached = api.ok("POST", path, {"interfaceAttachment": {}})[
        "interfaceAttachment"]
    default = {n["label"]: n["id"] for n in
               api.ok("GET", "/os-networks")["networks"]}["private"]
    assert attached["net_id"] == default
    entries = api.ok("GET", f"/servers/{server['id']}")["server"][
        "addresses"]["private"]
    assert len(entries) == 2


def test_admin_adds_the_servers_projects_group_by_name(api, admin):
    api.ok("POST", "/os-security-groups", {"security_group": {
        "name": "proj-only", "description": ""}})
    server = api.boot("admin-sg")
    admin.ok("POST", f"/servers/{server['id']}/action", {
        "addSecurityGroup": {"name": "proj-only"}}, status=202)
    names = [g["name"] for g in api.ok("GET", f"/servers/{server['id']}")[
        "server"]["security_groups"]]
    assert sorted(names) == ["default", "proj-only"]
