"""Every compute route, as admin, member, reader and a member of another
project: each caller gets exactly what the default policy allows, and
no cross-project read or write succeeds.

Identity and image routes are in ``test_policy_matrix_identity_image``;
``test_policy_matrix_routes`` fails when a route is in none of them.
"""

from tests.functional.api import policy_matrix_v253, policy_matrix_v258
from tests.functional.api.policy_matrix import (
    ACTION_WRITE,
    ADMIN_ONLY,
    ALL_OK,
    CALLERS,
    DEMO_IMAGE,
    OWNER_DELETE,
    OWNER_READ,
    OWNER_WRITE,
    SERVER,
    Env,
    Row,
    action,
    codes,
    run,
)

S = "/v2.1/servers/{server_id}"
F = "/v2.1/flavors/{flavor_id}"
Q = "/v2.1/os-quota-sets/{project_id}"
AGG = "/v2.1/os-aggregates/{aggregate_id}"
V210 = {"X-OpenStack-Nova-API-Version": "2.10"}
V211 = {"X-OpenStack-Nova-API-Version": "2.11"}
V226 = {"OpenStack-API-Version": "compute 2.26"}
V255 = {"OpenStack-API-Version": "compute 2.55"}
V278 = {"OpenStack-API-Version": "compute 2.78"}
V281 = {"OpenStack-API-Version": "compute 2.81"}
#: the highest version a row asks for (served above the advertised run,
#: so the matrix advertises it while it is not).
HIGHEST = 81
# The states fresh servers are prepared in, with the action that gets
# there (from ACTIVE) and the status it ends in.
STATES = {"stopped": ({"os-stop": None}, "SHUTOFF"),
          "paused": ({"pause": None}, "PAUSED"),
          "suspended": ({"suspend": None}, "SUSPENDED"),
          "locked": ({"lock": None}, "ACTIVE"),
          "rescued": ({"rescue": None}, "RESCUE"),
          # [compute] shelved_offload_time 0: offloaded at once.
          "shelved": ({"shelve": None}, "SHELVED_OFFLOADED")}
FRESH_ACTIVE_ROWS = 18


def _server(state="active"):
    def fresh(env, who):
        return {"server_id": env.pool[state].pop()}
    return fresh


def _tag(env, who):
    """A tag of the shared server for this caller's DELETE alone."""
    tag = env.unique("tag")
    env.call("admin", "PUT",
             f"/v2.1/servers/{env.ids['server_id']}/tags/{tag}",
             headers=V226)
    return {"tag": tag}


def _flavor(spec=False, access=False):
    def fresh(env, who):
        flavor = env.call("admin", "POST", "/v2.1/flavors", {"flavor": {
            "name": env.unique("del"), "ram": 64, "vcpus": 1, "disk": 1,
            "os-flavor-access:is_public": not access}})["flavor"]
        if spec:
            env.call("admin", "POST",
                     f"/v2.1/flavors/{flavor['id']}/os-extra_specs",
                     {"extra_specs": {"k1": "v"}})
        if access:
            env.call("admin", "POST", f"/v2.1/flavors/{flavor['id']}/action",
                     {"addTenantAccess": {"tenant": "x"}})
        return {"flavor_id": flavor["id"]}
    return fresh


def _aggregate(host=None):
    def fresh(env, who):
        agg = env.call("admin", "POST", "/v2.1/os-aggregates", {
            "aggregate": {"name": env.unique("agg")}})["aggregate"]
        if host:
            env.call("admin", "POST",
                     f"/v2.1/os-aggregates/{agg['id']}/action",
                     {"add_host": {"host": host}})
        return {"aggregate_id": agg["id"]}
    return fresh


def _keypair(env, who):
    name = env.unique("kp")
    env.call("member", "POST", "/v2.1/os-keypairs",
             {"keypair": {"name": name}})
    return {"name": name}


def _group(env, who):
    group = env.call("member", "POST", "/v2.1/os-server-groups", {
        "server_group": {"name": "g", "policies": ["affinity"]}})
    return {"group_id": group["server_group"]["id"]}


def _service(env, who):
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    row = db_api.services.create(context.get_admin_context(), {
        "host": env.unique("gone"), "binary": "nimbus-scheduler"})
    return {"service_id": row["id"]}


def _quota_target(env, who):
    """The admin writes a scratch project's quotas; everyone else tries
    the demo project's (their own, or another project's)."""
    return {"project_id": env.ids["scratch"] if who == "admin"
            else env.ids["demo"]}


def server_rows():
    return [
        Row("GET", "/v2.1/servers", ALL_OK),
        Row("GET", "/v2.1/servers", codes(200, 403, 403, 403),
            query={"all_tenants": "1"}),
        Row("GET", "/v2.1/servers/detail", ALL_OK),
        Row("POST", "/v2.1/servers", codes(202, 202, 403, 202), SERVER),
        Row("GET", "/v2.1/{demo}/servers", codes(404, 200, 200, 404)),
        Row("GET", S, OWNER_READ),
        Row("PUT", S, OWNER_WRITE, {"server": {"name": "renamed"}}),
        Row("DELETE", S, OWNER_DELETE, fresh=_server()),
        action(S + "/action", "os-stop", None, ACTION_WRITE, _server()),
        action(S + "/action", "os-start", None, ACTION_WRITE,
               _server("stopped")),
        action(S + "/action", "pause", None, ACTION_WRITE, _server()),
        action(S + "/action", "unpause", None, ACTION_WRITE,
               _server("paused")),
        action(S + "/action", "suspend", None, ACTION_WRITE, _server()),
        action(S + "/action", "resume", None, ACTION_WRITE,
               _server("suspended")),
        action(S + "/action", "reboot", {"type": "SOFT"}, ACTION_WRITE,
               _server()),
        action(S + "/action", "lock", None, ACTION_WRITE, _server()),
        action(S + "/action", "unlock", None, ACTION_WRITE,
               _server("locked")),
        action(S + "/action", "os-resetState", {"state": "active"},
               codes(202, 403, 403, 404), _server()),
        action(S + "/action", "os-getConsoleOutput", {}, OWNER_WRITE),
        # Remote consoles (the fake hosts serve VNC): the 2.1-2.5
        # action, 2.6's remote-consoles, and 2.31's token look-up (an
        # unknown token: 404 once the admin-only rule let the caller by).
        action(S + "/action", "os-getVNCConsole", {"type": "novnc"},
               OWNER_WRITE),
        Row("POST", S + "/remote-consoles", OWNER_WRITE,
            {"remote_console": {"protocol": "vnc", "type": "novnc"}},
            headers={"OpenStack-API-Version": "compute 2.6"}),
        Row("GET", "/v2.1/os-console-auth-tokens/unknown-token",
            codes(404, 403, 403, 403),
            headers={"OpenStack-API-Version": "compute 2.31"}),
        action(S + "/action", "resize", {"flavorRef": "2"}, ACTION_WRITE,
               _server()),
        action(S + "/action", "migrate", None, codes(202, 403, 403, 404),
               _server()),
        # The server is not resized: past the rule, the state says 409.
        action(S + "/action", "confirmResize", None,
               codes(409, 409, 403, 404)),
        action(S + "/action", "revertResize", None,
               codes(409, 409, 403, 404)),
        action(S + "/action", "rebuild", {"imageRef": DEMO_IMAGE},
               ACTION_WRITE, _server()),
        action(S + "/action", "createImage", {"name": "snap"},
               ACTION_WRITE, _server()),
        action(S + "/action", "shelve", None, ACTION_WRITE, _server()),
        # An administrator gets past the rule to the state check.
        action(S + "/action", "shelveOffload", None,
               codes(409, 403, 403, 404)),
        action(S + "/action", "unshelve", None, ACTION_WRITE,
               _server("shelved")),
        action(S + "/action", "rescue", None, OWNER_WRITE, _server()),
        action(S + "/action", "unrescue", None, ACTION_WRITE,
               _server("rescued")),
        # The server's host is up: an administrator gets Nova's 400.
        action(S + "/action", "evacuate", {"onSharedStorage": False},
               codes(400, 403, 403, 404)),
        Row("GET", S + "/metadata", OWNER_READ),
        Row("POST", S + "/metadata", OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("PUT", S + "/metadata", OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("GET", S + "/metadata/k", OWNER_READ),
        Row("PUT", S + "/metadata/k", OWNER_WRITE, {"meta": {"k": "w"}}),
        Row("DELETE", S + "/metadata/k", OWNER_DELETE, fresh=_server()),
        Row("GET", S + "/ips", OWNER_READ),
        Row("GET", S + "/ips/{network}", OWNER_READ),
        Row("GET", S + "/os-instance-actions", OWNER_READ),
        Row("GET", S + "/os-instance-actions/{request_id}", OWNER_READ),
        Row("POST", S + "/action", ACTION_WRITE,
            {"trigger_crash_dump": None}, action="trigger_crash_dump",
            headers=V226),
        Row("POST", S + "/action", ACTION_WRITE,
            {"changePassword": {"adminPass": "matrix"}},
            action="changePassword"),
        Row("GET", S + "/tags", OWNER_READ, headers=V226),
        Row("PUT", S + "/tags", OWNER_WRITE, {"tags": ["shared"]},
            headers=V226),
        Row("GET", S + "/tags/shared", codes(204, 204, 204, 404),
            headers=V226),
        Row("PUT", S + "/tags/shared", codes(204, 204, 403, 404),
            headers=V226),
        Row("DELETE", S + "/tags/{tag}", OWNER_DELETE, fresh=_tag,
            headers=V226),
        Row("DELETE", S + "/tags", OWNER_DELETE, headers=V226),
        Row("GET", S + "/os-server-password", OWNER_READ),
        Row("DELETE", S + "/os-server-password", OWNER_DELETE),
        Row("GET", S + "/migrations", codes(200, 403, 403, 404)),
        Row("GET", S + "/diagnostics", codes(200, 403, 403, 404)),
        Row("GET", S + "/topology", OWNER_READ, headers=V278),
        # No migration 0: an administrator gets past the rule to the 404.
        Row("GET", S + "/migrations/0", codes(404, 403, 403, 404)),
        action(S + "/action", "os-migrateLive",
               {"host": None, "block_migration": True,
                "disk_over_commit": False}, codes(202, 403, 403, 404),
               _server()),
        Row("DELETE", S + "/migrations/0", codes(404, 403, 403, 404),
            headers={"OpenStack-API-Version": "compute 2.24"}),
        Row("POST", S + "/migrations/0/action", codes(404, 403, 403, 404),
            {"force_complete": None}, action="force_complete",
            headers={"OpenStack-API-Version": "compute 2.22"}),
    ]


def _security_group(env, who):
    group = env.call("member", "POST", "/v2.1/os-security-groups", {
        "security_group": {"name": env.unique("sg"),
                           "description": ""}})["security_group"]
    return {"security_group_id": group["id"]}


def _rule(env, who):
    group = _security_group(env, who)["security_group_id"]
    rule = env.call("member", "POST", "/v2.1/os-security-group-rules", {
        "security_group_rule": {
            "parent_group_id": group, "ip_protocol": "tcp",
            "from_port": 22, "to_port": 22}})["security_group_rule"]
    return {"rule_id": rule["id"]}


def _server_port(env, who):
    server = env.pool["active"].pop()
    port = env.call("member", "GET", f"/v2.1/servers/{server}/os-interface")[
        "interfaceAttachments"][0]["port_id"]
    return {"server_id": server, "port_id": port}


def network_rows():
    sg = "/v2.1/os-security-groups/{security_group_id}"
    return [
        Row("GET", "/v2.1/os-networks", ALL_OK),
        Row("GET", "/v2.1/os-networks/{network_id}", ALL_OK),
        Row("GET", "/v2.1/os-security-groups", ALL_OK),
        Row("POST", "/v2.1/os-security-groups", codes(200, 200, 403, 200),
            {"security_group": {"name": "m", "description": ""}}),
        Row("GET", sg, OWNER_READ),
        Row("PUT", sg, OWNER_WRITE,
            {"security_group": {"name": "matrix-sg", "description": "d"}}),
        Row("DELETE", sg, codes(202, 202, 403, 404),
            fresh=_security_group),
        Row("POST", "/v2.1/os-security-group-rules", OWNER_WRITE,
            lambda ids: {"security_group_rule": {
                "parent_group_id": ids["security_group_id"],
                "ip_protocol": "icmp", "from_port": -1, "to_port": -1}},
            fresh=_security_group),
        Row("DELETE", "/v2.1/os-security-group-rules/{rule_id}",
            codes(202, 202, 403, 404), fresh=_rule),
        Row("GET", S + "/os-security-groups", OWNER_READ),
        action(S + "/action", "addSecurityGroup", {"name": "matrix-sg"},
               ACTION_WRITE, _server()),
        action(S + "/action", "removeSecurityGroup", {"name": "default"},
               ACTION_WRITE, _server()),
        Row("GET", S + "/os-interface", OWNER_READ),
        Row("GET", S + "/os-interface/{port_id}", OWNER_READ),
        Row("POST", S + "/os-interface", OWNER_WRITE,
            {"interfaceAttachment": {}}),
        Row("DELETE", S + "/os-interface/{port_id}",
            codes(202, 202, 403, 404), fresh=_server_port),
        Row("GET", S + "/os-virtual-interfaces", OWNER_READ),
    ]


def resource_rows():
    return [
        Row("GET", "/v2.1/flavors", ALL_OK),
        Row("GET", "/v2.1/flavors/detail", ALL_OK),
        Row("POST", "/v2.1/flavors", ADMIN_ONLY, {"flavor": {
            "name": "f", "ram": 64, "vcpus": 1, "disk": 1}}),
        Row("GET", "/v2.1/flavors/1", ALL_OK),
        Row("GET", "/v2.1/flavors/priv", codes(200, 404, 404, 404)),
        Row("PUT", "/v2.1/flavors/1", ADMIN_ONLY,
            {"flavor": {"description": "matrix"}}, headers=V255),
        Row("DELETE", F, codes(202, 403, 403, 403), fresh=_flavor()),
        Row("GET", "/v2.1/flavors/1/os-extra_specs", ALL_OK),
        Row("POST", "/v2.1/flavors/1/os-extra_specs", ADMIN_ONLY,
            {"extra_specs": {"a": "b"}}),
        Row("GET", "/v2.1/flavors/1/os-extra_specs/k1", ALL_OK),
        Row("PUT", "/v2.1/flavors/1/os-extra_specs/k1", ADMIN_ONLY,
            {"k1": "w"}),
        # Nova answers 200 here and for an aggregate's delete; pecan turns
        # an empty 200 into 204 (the OpenAPI document says 200).
        Row("DELETE", F + "/os-extra_specs/k1", codes(200, 403, 403, 403),
            fresh=_flavor(spec=True)),
        Row("GET", "/v2.1/flavors/priv/os-flavor-access", ADMIN_ONLY),
        action("/v2.1/flavors/priv/action", "addTenantAccess",
               {"tenant": "x"}, ADMIN_ONLY),
        action(F + "/action", "removeTenantAccess", {"tenant": "x"},
               ADMIN_ONLY, _flavor(access=True)),
        Row("GET", "/v2.1/os-keypairs", ALL_OK),
        Row("POST", "/v2.1/os-keypairs", codes(200, 200, 403, 200),
            {"keypair": {"name": "kp"}}),
        Row("GET", "/v2.1/os-keypairs/mine", codes(404, 200, 404, 404)),
        # 2.10: name the owner; only the owner or an admin gets in.
        Row("GET", "/v2.1/os-keypairs/mine", codes(200, 200, 403, 403),
            query={"user_id": "{member_user}"}, headers=V210),
        Row("DELETE", "/v2.1/os-keypairs/{name}", codes(204, 204, 403, 403),
            query={"user_id": "{member_user}"}, headers=V210,
            fresh=_keypair),
        Row("GET", "/v2.1/limits", ALL_OK),
        Row("GET", "/v2.1/limits", codes(200, 200, 200, 403),
            query={"tenant_id": "{demo}"}),
        Row("GET", "/v2.1/os-quota-sets/{demo}", codes(200, 200, 200, 403)),
        Row("GET", "/v2.1/os-quota-sets/{demo}/detail",
            codes(200, 200, 200, 403)),
        Row("GET", "/v2.1/os-quota-sets/{demo}/defaults", ALL_OK),
        Row("PUT", Q, ADMIN_ONLY, {"quota_set": {"instances": 20}},
            fresh=_quota_target),
        Row("DELETE", Q, codes(202, 403, 403, 403), fresh=_quota_target),
    ]


def admin_rows():
    host = {"host": "fake-2", "binary": "nimbus-compute"}
    return [
        Row("GET", "/v2.1/os-services", ADMIN_ONLY),
        Row("PUT", "/v2.1/os-services/disable", ADMIN_ONLY, host),
        Row("PUT", "/v2.1/os-services/disable-log-reason", ADMIN_ONLY,
            dict(host, disabled_reason="matrix")),
        Row("PUT", "/v2.1/os-services/force-down", ADMIN_ONLY,
            dict(host, forced_down=False), headers=V211),
        Row("PUT", "/v2.1/os-services/enable", ADMIN_ONLY, host),
        Row("DELETE", "/v2.1/os-services/{service_id}",
            codes(204, 403, 403, 403), fresh=_service),
        Row("GET", "/v2.1/os-hypervisors", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/detail", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/statistics", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/{hypervisor}", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/{hypervisor}/uptime", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/fake/search", ADMIN_ONLY),
        Row("GET", "/v2.1/os-hypervisors/fake/servers", ADMIN_ONLY),
        Row("GET", "/v2.1/os-quota-class-sets/default", ADMIN_ONLY),
        Row("PUT", "/v2.1/os-quota-class-sets/matrix", ADMIN_ONLY,
            {"quota_class_set": {"instances": 50}}),
        Row("GET", "/v2.1/os-migrations", ADMIN_ONLY),
        # No such server: an administrator gets past the rule to the 404.
        Row("POST", "/v2.1/os-server-external-events",
            codes(404, 403, 403, 403), {"events": [{
                "name": "network-changed",
                "server_uuid": "5e0f3f5a-0000-4000-8000-00000000dead"}]}),
        Row("GET", "/v2.1/os-simple-tenant-usage", ADMIN_ONLY),
        Row("GET", "/v2.1/os-simple-tenant-usage/{demo}",
            codes(200, 200, 200, 403)),
        Row("GET", "/v2.1/os-availability-zone", ALL_OK),
        Row("GET", "/v2.1/os-availability-zone/detail", ADMIN_ONLY),
        Row("GET", "/v2.1/os-aggregates", ADMIN_ONLY),
        Row("POST", "/v2.1/os-aggregates", ADMIN_ONLY,
            {"aggregate": {"name": "new-agg"}}),
        Row("GET", "/v2.1/os-aggregates/{aggregate}", ADMIN_ONLY),
        Row("PUT", "/v2.1/os-aggregates/{aggregate}", ADMIN_ONLY,
            {"aggregate": {"name": "renamed-agg"}}),
        Row("DELETE", AGG, codes(200, 403, 403, 403), fresh=_aggregate()),
        action(AGG + "/action", "add_host", {"host": "fake-1"}, ADMIN_ONLY,
               _aggregate()),
        action(AGG + "/action", "remove_host", {"host": "fake-1"},
               ADMIN_ONLY, _aggregate("fake-1")),
        action("/v2.1/os-aggregates/{aggregate}/action", "set_metadata",
               {"metadata": {"k": "v"}}, ADMIN_ONLY),
        Row("POST", "/v2.1/os-aggregates/{aggregate}/images",
            codes(202, 403, 403, 403), {"cache": [{"id": DEMO_IMAGE}]},
            headers=V281),
        Row("GET", "/v2.1/os-server-groups", ALL_OK),
        Row("GET", "/v2.1/os-server-groups", codes(200, 403, 403, 403),
            query={"all_projects": "1"}),
        Row("POST", "/v2.1/os-server-groups", codes(200, 200, 403, 200),
            {"server_group": {"name": "g", "policies": ["affinity"]}}),
        Row("GET", "/v2.1/os-server-groups/{group}", OWNER_READ),
        Row("DELETE", "/v2.1/os-server-groups/{group_id}", OWNER_DELETE,
            fresh=_group),
        Row("GET", "/v2.1/images", ALL_OK),
        Row("GET", "/v2.1/images/detail", ALL_OK),
        Row("GET", "/v2.1/images/{image}", OWNER_READ),
        Row("GET", "/", ALL_OK),
        Row("GET", "/v2.1", ALL_OK),
        Row("GET", "/v2.1/openapi.json", ALL_OK),
    ]


def rows():
    return server_rows() + resource_rows() + admin_rows() + \
        network_rows() + policy_matrix_v253.rows() + \
        policy_matrix_v258.rows()


def _pool(env):
    """Servers of the demo project in every state a row starts from."""
    need = {"active": 1 + FRESH_ACTIVE_ROWS * len(CALLERS)}
    need.update({state: len(CALLERS) for state in STATES})
    total = sum(need.values())
    env.call("member", "POST", "/v2.1/servers", {"server": dict(
        SERVER["server"], name="pool", min_count=total, max_count=total,
        metadata={"k": "v"})})
    ids = [s["id"] for s in env.call(
        "member", "GET", "/v2.1/servers", query={"name": "pool"})["servers"]]
    assert len(ids) == total
    env.wait_servers(ids, "ACTIVE", timeout=60)
    env.pool = {}
    for state, count in need.items():
        env.pool[state], ids = ids[:count], ids[count:]
    for state, (body, status) in STATES.items():
        for server in env.pool[state]:
            who = "member" if state == "locked" else "admin"
            env.call(who, "POST", f"/v2.1/servers/{server}/action", body)
        env.wait_servers(env.pool[state], status)
    return env.pool["active"].pop()


def _setup(cloud):
    env = Env(cloud)
    ids = env.ids
    ids["scratch"] = env.call("admin", "POST", "/identity/v3/projects", {
        "project": {"name": "scratch"}})["project"]["id"]
    ids["member_user"] = env.call(
        "admin", "GET", "/identity/v3/users",
        query={"name": "member"})["users"][0]["id"]
    env.call("admin", "PUT", f"/v2.1/os-quota-sets/{ids['demo']}", {
        "quota_set": {"instances": -1, "cores": -1, "ram": -1,
                      "security_groups": -1,
                      "security_group_rules": -1}})
    server = ids["server_id"] = _pool(env)
    env.call("member", "POST", "/v2.1/os-keypairs",
             {"keypair": {"name": "mine"}})
    env.call("admin", "POST", "/v2.1/flavors", {"flavor": {
        "name": "priv", "id": "priv", "ram": 64, "vcpus": 1, "disk": 1,
        "os-flavor-access:is_public": False}})
    env.call("admin", "POST", "/v2.1/flavors/1/os-extra_specs",
             {"extra_specs": {"k1": "v"}})
    ids["group"] = env.call("member", "POST", "/v2.1/os-server-groups", {
        "server_group": {"name": "mine", "policies": ["affinity"]}})[
        "server_group"]["id"]
    ids["image"] = env.call("member", "POST", "/image/v2/images", {
        "name": "private", "visibility": "private"})["id"]
    ids["aggregate"] = env.call("admin", "POST", "/v2.1/os-aggregates", {
        "aggregate": {"name": "shared"}})["aggregate"]["id"]
    ids["hypervisor"] = env.call("admin", "GET", "/v2.1/os-hypervisors")[
        "hypervisors"][0]["id"]
    ids.update(policy_matrix_v253.ids(env))
    ids["request_id"] = env.call(
        "member", "GET", f"/v2.1/servers/{server}/os-instance-actions")[
        "instanceActions"][0]["request_id"]
    env.call("member", "PUT", f"/v2.1/servers/{server}/tags/shared",
             headers=V226)
    ids["network"] = "private"
    ids["network_id"] = {n["label"]: n["id"] for n in env.call(
        "admin", "GET", "/v2.1/os-networks")["networks"]}["private"]
    ids["security_group_id"] = env.call(
        "member", "POST", "/v2.1/os-security-groups", {"security_group": {
            "name": "matrix-sg", "description": ""}})["security_group"]["id"]
    ids["port_id"] = env.call(
        "member", "GET", f"/v2.1/servers/{server}/os-interface")[
        "interfaceAttachments"][0]["port_id"]
    return env


def test_policy_matrix(cloud, advertise):
    advertise(HIGHEST)
    env = _setup(cloud)
    wrong = run(env, rows())
    assert not wrong, "\n".join(map(str, wrong))


def test_no_cross_project_listing_or_delete(cloud):
    env = Env(cloud)
    server = env.call("member", "POST", "/v2.1/servers", SERVER)["server"]
    image = env.call("member", "POST", "/image/v2/images", {
        "name": "private", "visibility": "private"})

    def get(who, **params):
        return env.request(who, "GET", "/v2.1/servers/detail", query=params)
    assert server["id"] not in get("other").text
    assert get("other", all_tenants="1").status_code == 403
    assert server["id"] in get("admin", all_tenants="1").text
    for who, code in (("other", 404), ("reader", 403), ("member", 204)):
        resp = env.request(who, "DELETE", f"/v2.1/servers/{server['id']}")
        assert resp.status_code == code, (who, resp.text)
    resp = env.request("other", "DELETE", f"/image/v2/images/{image['id']}")
    assert resp.status_code in (403, 404)
