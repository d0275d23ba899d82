"""Every route of the network dialect (``/network/v2.0``), as admin,
member, reader and a member of another project.

The administrator owns networks and subnets (nova-network's model);
ports, security groups and rules, and floating IPs belong to projects.
What a caller may not read is a 404 (Neutron hides it), what it may read
but not change a 403.
"""

from tests.functional.api.policy_matrix import (
    ALL_OK,
    OWNER_DELETE,
    OWNER_READ,
    OWNER_WRITE,
    Env,
    Row,
    codes,
    run,
)

V2 = "/network/v2.0"
NETS, SUBNETS, PORTS = V2 + "/networks", V2 + "/subnets", V2 + "/ports"
GROUPS, RULES = V2 + "/security-groups", V2 + "/security-group-rules"
FIPS, QUOTA = V2 + "/floatingips", V2 + "/quotas/{demo}"
ADMIN_CREATE = codes(201, 403, 403, 403)
ADMIN_WRITE = codes(200, 403, 403, 404)
ADMIN_DELETE = codes(204, 403, 403, 404)
PROJECT_CREATE = codes(201, 201, 403, 201)
QUOTA_READ = codes(200, 200, 200, 403)


def _network(env, cidr=None, **attrs):
    net = env.call("admin", "POST", NETS, {"network": dict(
        {"name": env.unique("net"), "project_id": env.ids["demo"]},
        **attrs)})["network"]
    if cidr:
        env.call("admin", "POST", SUBNETS, {"subnet": {
            "network_id": net["id"], "cidr": cidr, "ip_version": 4}})
    return net["id"]


def _fresh_network(env, who):
    return {"net_id": _network(env)}


def _fresh_subnet(env, who):
    env.seq += 1
    net = _network(env, cidr=f"10.77.{env.seq}.0/24")
    return {"subnet_id": env.call("admin", "GET", NETS + "/" + net)[
        "network"]["subnets"][0]}


def _fresh_port(env, who):
    port = env.call("member", "POST", PORTS, {"port": {
        "network_id": env.ids["net"]}})["port"]
    return {"port_id": port["id"]}


def _fresh_group(env, who):
    group = env.call("member", "POST", GROUPS, {"security_group": {
        "name": env.unique("sg")}})["security_group"]
    return {"group_id": group["id"]}


def _fresh_rule(env, who):
    rule = env.call("member", "POST", RULES, {"security_group_rule": {
        "security_group_id": env.ids["group"], "direction": "ingress",
        "protocol": "tcp", "port_range_min": 1000 + env.seq,
        "port_range_max": 1000 + env.seq}})["security_group_rule"]
    env.seq += 1
    return {"rule_id": rule["id"]}


def _fresh_fip(env, who):
    fip = env.call("member", "POST", FIPS, {"floatingip": {
        "floating_network_id": env.ids["ext"]}})["floatingip"]
    return {"fip_id": fip["id"]}


def rows():
    return [
        Row("GET", "/network", ALL_OK),
        Row("GET", V2, ALL_OK),
        Row("GET", V2 + "/openapi.json", ALL_OK),
        Row("GET", V2 + "/extensions", ALL_OK),
        Row("GET", V2 + "/extensions/security-group", ALL_OK),
        Row("GET", NETS, ALL_OK),
        Row("POST", NETS, ADMIN_CREATE, {"network": {"name": "n"}}),
        Row("GET", NETS + "/{net}", OWNER_READ),
        Row("GET", NETS + "/{ext}", ALL_OK),
        Row("PUT", NETS + "/{net}", ADMIN_WRITE,
            {"network": {"name": "demo-net"}}),
        Row("DELETE", NETS + "/{net_id}", ADMIN_DELETE,
            fresh=_fresh_network),
        Row("GET", SUBNETS, ALL_OK),
        Row("POST", SUBNETS, ADMIN_CREATE, lambda ids: {"subnet": {
            "network_id": ids["net_id"], "cidr": "10.78.0.0/24",
            "ip_version": 4}}, fresh=_fresh_network),
        Row("GET", SUBNETS + "/{subnet}", OWNER_READ),
        Row("GET", SUBNETS + "/{ext_subnet}", ALL_OK),
        Row("PUT", SUBNETS + "/{subnet}", ADMIN_WRITE,
            {"subnet": {"name": "demo-subnet"}}),
        Row("DELETE", SUBNETS + "/{subnet_id}", codes(409, 403, 403, 404),
            fresh=_fresh_subnet),
        Row("GET", PORTS, ALL_OK),
        Row("POST", PORTS, codes(201, 201, 403, 404),
            lambda ids: {"port": {"network_id": ids["net"]}}),
        Row("GET", PORTS + "/{port}", OWNER_READ),
        Row("PUT", PORTS + "/{port}", OWNER_WRITE,
            {"port": {"name": "p"}}),
        Row("DELETE", PORTS + "/{port_id}", OWNER_DELETE,
            fresh=_fresh_port),
        Row("GET", GROUPS, ALL_OK),
        Row("POST", GROUPS, PROJECT_CREATE,
            {"security_group": {"name": "g"}}),
        Row("GET", GROUPS + "/{group}", OWNER_READ),
        Row("PUT", GROUPS + "/{group}", OWNER_WRITE,
            {"security_group": {"description": "web"}}),
        Row("DELETE", GROUPS + "/{group_id}", OWNER_DELETE,
            fresh=_fresh_group),
        Row("GET", RULES, ALL_OK),
        Row("POST", RULES, codes(201, 201, 403, 404),
            lambda ids: {"security_group_rule": {
                "security_group_id": ids["group_id"],
                "direction": "ingress", "protocol": "icmp"}},
            fresh=_fresh_group),
        Row("GET", RULES + "/{rule}", OWNER_READ),
        Row("DELETE", RULES + "/{rule_id}", OWNER_DELETE,
            fresh=_fresh_rule),
        Row("GET", FIPS, ALL_OK),
        Row("POST", FIPS, PROJECT_CREATE,
            lambda ids: {"floatingip": {"floating_network_id":
                                        ids["ext"]}}),
        Row("POST", FIPS, codes(201, 403, 403, 403),
            lambda ids: {"floatingip": {"floating_network_id": ids["ext"],
                                        "floating_ip_address":
                                            "172.24.77.200"}}),
        Row("GET", FIPS + "/{fip}", OWNER_READ),
        Row("PUT", FIPS + "/{fip}", OWNER_WRITE,
            lambda ids: {"floatingip": {"port_id": ids["port"]}}),
        Row("DELETE", FIPS + "/{fip_id}", OWNER_DELETE, fresh=_fresh_fip),
        Row("GET", QUOTA, QUOTA_READ),
        Row("GET", QUOTA + "/details", QUOTA_READ),
        Row("GET", QUOTA + "/default", QUOTA_READ),
        Row("PUT", QUOTA, codes(200, 403, 403, 403),
            {"quota": {"port": 60}}),
        Row("DELETE", V2 + "/quotas/{other_project}",
            codes(204, 403, 403, 403)),
    ]


def _setup(cloud):
    env = Env(cloud)
    ids = env.ids
    ids["net"] = _network(env, cidr="10.77.0.0/24", name="demo-net")
    ids["subnet"] = env.call("admin", "GET", NETS + "/" + ids["net"])[
        "network"]["subnets"][0]
    ids["ext"] = _network(env, cidr="172.24.77.0/24", name="public",
                          **{"router:external": True})
    ids["ext_subnet"] = env.call("admin", "GET", NETS + "/" + ids["ext"])[
        "network"]["subnets"][0]
    ids["port"] = env.call("member", "POST", PORTS, {"port": {
        "network_id": ids["net"]}})["port"]["id"]
    ids["group"] = env.call("member", "POST", GROUPS, {"security_group": {
        "name": "web"}})["security_group"]["id"]
    ids["rule"] = env.call("member", "POST", RULES, {"security_group_rule": {
        "security_group_id": ids["group"], "direction": "ingress",
        "protocol": "tcp", "port_range_min": 22,
        "port_range_max": 22}})["security_group_rule"]["id"]
    ids["fip"] = env.call("member", "POST", FIPS, {"floatingip": {
        "floating_network_id": ids["ext"]}})["floatingip"]["id"]
    return env


def test_policy_matrix_network(cloud):
    env = _setup(cloud)
    wrong = run(env, rows())
    assert not wrong, "\n".join(map(str, wrong))


def test_lists_show_each_caller_only_what_it_may_read(cloud):
    env = _setup(cloud)
    for path, key, mine in ((NETS, "networks", env.ids["net"]),
                            (PORTS, "ports", env.ids["port"]),
                            (GROUPS, "security_groups", env.ids["group"]),
                            (FIPS, "floatingips", env.ids["fip"])):
        for who, sees in (("admin", True), ("member", True),
                          ("reader", True), ("other", False)):
            listed = {item["id"] for item in env.call(who, "GET", path)[key]}
            assert (mine in listed) is sees, (path, who)
    # Everybody sees the external network (the floating IP pool).
    for who in ("member", "other"):
        nets = env.call(who, "GET", NETS)["networks"]
        assert env.ids["ext"] in {n["id"] for n in nets}
        # ... but not its VLAN: provider attributes are the admin's.
        assert all("provider:network_type" not in n for n in nets)
    admin_net = env.call("admin", "GET", NETS + "/" + env.ids["net"])
    assert admin_net["network"]["provider:network_type"] == "flat"


def test_same_for_anything_that_is_not_an_id(cloud):
    env = Env(cloud)
    for path in (NETS, SUBNETS, PORTS, GROUPS, RULES, FIPS):
        resp = env.request("member", "GET", path + "/no-such-thing")
        assert resp.status_code == 404, (path, resp.text)
        assert resp.json()["NeutronError"]["message"]
