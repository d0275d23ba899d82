"""Stock python-openstackclient and openstacksdk against the network
dialect, with the password-auth clouds.yaml nimbus's identity serves:
the catalog's ``network`` endpoint is all they need."""

import json

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def js(result):
    return json.loads(result.stdout)


def _admin_networks(cloud, prefix, third):
    """A VLAN network of the demo project and an external pool, made with
    the stock CLI."""
    osc = cloud.openstack
    demo = cloud.project_ids["demo"]
    net = js(osc("admin", "network", "create", "--project", demo,
                 "--provider-network-type", "vlan",
                 "--provider-physical-network", "physnet1",
                 "--provider-segment", str(100 + third),
                 f"{prefix}-private", "-f", "json"))
    sub = js(osc("admin", "subnet", "create", "--network",
                 f"{prefix}-private", "--subnet-range",
                 f"10.{third}.0.0/24", "--dns-nameserver", "192.0.2.53",
                 f"{prefix}-sub", "-f", "json"))
    ext = js(osc("admin", "network", "create", "--external",
                 f"{prefix}-public", "-f", "json"))
    osc("admin", "subnet", "create", "--network", f"{prefix}-public",
        "--subnet-range", f"172.24.{third}.0/24", f"{prefix}-pool")
    return net, sub, ext


def test_openstack_network_and_subnet_commands(cloud):
    osc = cloud.openstack
    net, sub, ext = _admin_networks(cloud, "a", 20)
    assert net["name"] == "a-private" and net["status"] == "ACTIVE"
    assert net["provider:network_type"] == "vlan"
    assert net["provider:segmentation_id"] == 120
    assert net["project_id"] == cloud.project_ids["demo"]
    assert sub["cidr"] == "10.20.0.0/24" and sub["gateway_ip"] == "10.20.0.1"
    assert sub["allocation_pools"] == [{"start": "10.20.0.2",
                                        "end": "10.20.0.254"}]
    assert sub["dns_nameservers"] == ["192.0.2.53"]
    assert sub["network_id"] == net["id"]
    # A nimbus network has one subnet: a second is a clear conflict.
    second = osc("admin", "subnet", "create", "--network", "a-private",
                 "--subnet-range", "10.21.0.0/24", "again", check=False)
    assert second.returncode == 1
    assert "already has subnet" in second.stderr

    # (nimbus-all made the shared default network, "private", too.)
    listed = js(osc("member", "network", "list", "-f", "json"))
    by_name = {n["Name"]: n for n in listed}
    assert set(by_name) == {"a-private", "a-public", "private"}
    assert by_name["a-private"]["Subnets"] == [sub["id"]]
    shown = js(osc("member", "network", "show", "a-private", "-f", "json"))
    assert shown["id"] == net["id"] and shown["subnets"] == [sub["id"]]
    assert shown["router:external"] is False
    assert js(osc("member", "network", "show", "a-public", "-f",
                  "json"))["router:external"] is True
    external = js(osc("member", "network", "list", "--external", "-f",
                      "json"))
    assert [n["Name"] for n in external] == ["a-public"]
    # Another project sees the pool but not the demo project's network.
    assert {n["Name"] for n in js(osc("other", "network", "list", "-f",
                                      "json"))} == {"a-public", "private"}
    assert osc("other", "network", "show", "a-private",
               check=False).returncode == 1

    subnets = js(osc("member", "subnet", "list", "-f", "json"))
    assert {(s["Name"], s["Subnet"], s["Network"]) for s in subnets} >= {
        ("a-sub", "10.20.0.0/24", net["id"]),
        ("a-pool", "172.24.20.0/24", ext["id"])}
    assert len(subnets) == 3
    assert js(osc("member", "subnet", "show", "a-sub", "-f",
                  "json"))["id"] == sub["id"]
    # With a network endpoint, quota commands include its quotas.
    demo = cloud.project_ids["demo"]
    osc("admin", "quota", "set", "--ports", "77", "--floating-ips", "3",
        demo)
    quotas = {row["Resource"]: row["Limit"] for row in js(
        osc("member", "quota", "show", demo, "-f", "json"))}
    assert (quotas["ports"], quotas["floating_ips"]) == (77, 3), quotas
    assert quotas["networks"] == quotas["subnets"]
    # Members cannot create networks; the admin deletes them.
    assert osc("member", "network", "create", "mine",
               check=False).returncode == 1
    osc("admin", "network", "delete", "a-private")
    assert osc("member", "network", "show", "a-private",
               check=False).returncode == 1


def test_openstack_ports_groups_and_floating_ips(cloud):
    osc = cloud.openstack
    net, sub, ext = _admin_networks(cloud, "b", 30)
    port = js(osc("member", "port", "create", "--network", "b-private",
                  "p1", "-f", "json"))
    [fixed] = port["fixed_ips"]
    assert fixed["subnet_id"] == sub["id"]
    assert fixed["ip_address"].startswith("10.30.0.")
    ports = js(osc("member", "port", "list", "--network", "b-private", "-f",
                   "json"))
    assert [p["ID"] for p in ports] == [port["id"]]
    assert js(osc("reader", "port", "show", "p1", "-f",
                  "json"))["mac_address"] == port["mac_address"]

    group = js(osc("member", "security", "group", "create", "web", "-f",
                   "json"))
    assert group["name"] == "web" and group["description"] == "web"
    rule = js(osc("member", "security", "group", "rule", "create",
                  "--protocol", "tcp", "--dst-port", "22", "web", "-f",
                  "json"))
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 22)
    assert rule["remote_ip_prefix"] == "0.0.0.0/0"
    icmp = js(osc("member", "security", "group", "rule", "create",
                  "--protocol", "icmp", "web", "-f", "json"))
    rules = js(osc("member", "security", "group", "rule", "list", "web",
                   "-f", "json"))
    assert {rule["id"], icmp["id"]} <= {r["ID"] for r in rules}
    groups = js(osc("member", "security", "group", "list", "-f", "json"))
    assert {"default", "web"} <= {g["Name"] for g in groups}
    assert "web" not in {g["Name"] for g in js(osc(
        "other", "security", "group", "list", "-f", "json"))}
    # A duplicate rule is a conflict, and the reader may not write.
    assert osc("member", "security", "group", "rule", "create",
               "--protocol", "icmp", "web", check=False).returncode == 1
    assert osc("reader", "security", "group", "create", "x",
               check=False).returncode == 1

    fip = js(osc("member", "floating", "ip", "create", "b-public", "-f",
                 "json"))
    address = fip["floating_ip_address"]
    assert address.startswith("172.24.30.")
    osc("member", "floating", "ip", "set", "--port", "p1", address)
    shown = js(osc("member", "floating", "ip", "show", address, "-f",
                   "json"))
    assert (shown["port_id"], shown["fixed_ip_address"]) == \
        (port["id"], fixed["ip_address"])
    listed = js(osc("member", "floating", "ip", "list", "-f", "json"))
    assert [(f["Floating IP Address"], f["Port"]) for f in listed] == \
        [(address, port["id"])]
    osc("member", "floating", "ip", "unset", "--port", address)
    assert js(osc("member", "floating", "ip", "show", address, "-f",
                  "json"))["port_id"] is None
    assert osc("other", "floating", "ip", "delete", address,
               check=False).returncode == 1
    osc("member", "floating", "ip", "delete", address)
    assert js(osc("member", "floating", "ip", "list", "-f", "json")) == []

    osc("member", "security", "group", "rule", "delete", rule["id"])
    osc("member", "security", "group", "delete", "web")
    osc("member", "port", "delete", "p1")
    osc("admin", "network", "delete", "b-private")


def test_openstack_server_ports_and_floating_ip(cloud):
    """``port list --server`` and ``server add floating ip`` find the
    server's ports by ``device_id``. (The server joins its project's own
    network, c-private, as servers created without networks do.)"""
    osc = cloud.openstack
    net, sub, ext = _admin_networks(cloud, "c", 40)
    server = js(osc("member", "server", "create", "--image", "demo",
                    "--flavor", "m1.tiny", "--wait", "vm1", "-f", "json"))
    ports = js(osc("member", "port", "list", "--server", "vm1", "-f",
                   "json"))
    assert len(ports) == 1
    [fixed] = ports[0]["Fixed IP Addresses"]
    assert fixed["ip_address"].startswith("10.40.0.")
    fip = js(osc("member", "floating", "ip", "create", "c-public", "-f",
                 "json"))
    osc("member", "server", "add", "floating", "ip", "vm1",
        fip["floating_ip_address"])
    shown = js(osc("member", "floating", "ip", "show", fip["id"], "-f",
                   "json"))
    assert shown["port_id"] == ports[0]["ID"]
    assert shown["fixed_ip_address"] == fixed["ip_address"]
    osc("member", "server", "remove", "floating", "ip", "vm1",
        fip["floating_ip_address"])
    assert js(osc("member", "floating", "ip", "show", fip["id"], "-f",
                  "json"))["port_id"] is None
    osc("member", "server", "delete", "--wait", server["id"])
    assert js(osc("member", "port", "list", "--network", "c-private",
                  "-f", "json")) == []


def test_openstacksdk_network_proxy(cloud):
    admin, member = cloud.sdk("admin"), cloud.sdk("member")
    net = admin.network.create_network(
        name="d-private", provider_network_type="vlan",
        provider_physical_network="physnet1", provider_segmentation_id=200,
        project_id=cloud.project_ids["demo"])
    assert net.provider_segmentation_id == 200
    subnet = admin.network.create_subnet(network_id=net.id,
                                         cidr="10.50.0.0/24", ip_version=4,
                                         name="d-sub")
    assert subnet.allocation_pools == [{"start": "10.50.0.2",
                                        "end": "10.50.0.254"}]
    ext = admin.network.create_network(name="d-public",
                                       is_router_external=True)
    # A pool without a gateway: every host address may float.
    pool = admin.network.create_subnet(network_id=ext.id,
                                       cidr="172.24.50.0/29", ip_version=4,
                                       gateway_ip=None)
    assert pool.gateway_ip is None
    assert pool.allocation_pools == [{"start": "172.24.50.1",
                                      "end": "172.24.50.6"}]
    assert member.network.find_network("d-private").id == net.id
    assert member.network.find_network("d-public").is_router_external
    assert {n.name for n in member.network.networks()} == {
        "d-private", "d-public", "private"}
    # Paging: one network a page, following the links to the end.
    assert [n.id for n in member.network.networks(limit=1)] == \
        [n.id for n in member.network.networks(sort_key="id")]

    group = member.network.create_security_group(name="db")
    assert {r["direction"] for r in group.security_group_rules} == {
        "egress"}
    rule = member.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp",
        port_range_min=5432, port_range_max=5432,
        remote_ip_prefix="10.50.0.0/24")
    assert rule.remote_ip_prefix == "10.50.0.0/24"
    port = member.network.create_port(network_id=net.id, name="p",
                                      security_group_ids=[group.id])
    assert port.security_group_ids == [group.id]
    assert [p.id for p in member.network.ports(network_id=net.id)] == \
        [port.id]
    ip = member.network.create_ip(floating_network_id=ext.id)
    assert ip.name == ip.floating_ip_address
    ip = member.network.update_ip(ip, port_id=port.id)
    assert (ip.port_id, ip.fixed_ip_address) == (
        port.id, port.fixed_ips[0]["ip_address"])
    ip = member.network.update_ip(ip, port_id=None)
    assert ip.port_id is None
    assert member.network.find_ip(ip.floating_ip_address).id == ip.id
    member.network.delete_ip(ip)
    member.network.delete_security_group_rule(rule)
    member.network.update_port(port, security_group_ids=[])
    member.network.delete_security_group(group)
    member.network.delete_port(port)
    assert list(member.network.ports(network_id=net.id)) == []
    admin.network.delete_network(net)
    assert member.network.find_network("d-private") is None
