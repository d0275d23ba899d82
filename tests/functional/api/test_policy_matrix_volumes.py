"""Every Block Storage route and every os-volume_attachments route, as
admin, member, reader and a member of another project: the other
project's member neither sees nor attaches nor detaches the demo
project's volumes (see ``test_policy_matrix`` for the other compute
routes)."""

import time

from tests.functional.api.policy_matrix import (
    ACTION_WRITE,
    ADMIN_ONLY,
    ALL_OK,
    OWNER_READ,
    OWNER_WRITE,
    SERVER,
    Env,
    Row,
    action,
    codes,
    run,
    same,
)

VOL = "/volume/v3"
V = VOL + "/volumes/{volume_id}"
SN = VOL + "/snapshots/{snapshot_id}"
A = "/v2.1/servers/{server}/os-volume_attachments"
T = VOL + "/types/{type_id}"
VM = VOL + "/volumes/{volume}/metadata"
SM = VOL + "/snapshots/{snapshot}/metadata"
ASYNC_DELETE = codes(202, 202, 403, 404)
CREATE = codes(202, 202, 403, 202)
ADMIN_ASYNC = codes(202, 403, 403, 403)
META_DELETE = codes(200, 200, 403, 404)


def wait_status(env, kind, ident, status, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        body = env.call("admin", "GET", f"{VOL}/{kind}s/{ident}")[kind]
        if body["status"] == status:
            return body
        assert body["status"] not in ("error", "error_deleting"), body
        assert time.monotonic() < deadline, (ident, body["status"], status)
        time.sleep(0.1)


def new_volume(env, size=1):
    volume = env.call("member", "POST", VOL + "/volumes", {
        "volume": {"size": size, "name": env.unique("vol")}})["volume"]
    wait_status(env, "volume", volume["id"], "available")
    return volume["id"]


def new_snapshot(env, volume_id):
    snap = env.call("member", "POST", VOL + "/snapshots", {
        "snapshot": {"volume_id": volume_id,
                     "name": env.unique("snap")}})["snapshot"]
    wait_status(env, "snapshot", snap["id"], "available")
    return snap["id"]


def attach(env, server, volume_id):
    env.call("member", "POST", f"/v2.1/servers/{server}/"
             "os-volume_attachments",
             {"volumeAttachment": {"volumeId": volume_id}})
    wait_status(env, "volume", volume_id, "in-use")


def _volume(env, who):
    return {"volume_id": new_volume(env)}


def _snapshot(env, who):
    return {"snapshot_id": new_snapshot(env, env.ids["volume"])}


def _attached(env, who):
    volume_id = new_volume(env)
    attach(env, env.ids["server"], volume_id)
    return {"volume_id": volume_id}


def _type(env, who, public=True, specs=None):
    body = {"volume_type": {"name": env.unique("type"),
                            "os-volume-type-access:is_public": public,
                            "extra_specs": specs or {}}}
    return {"type_id": env.call("admin", "POST", VOL + "/types",
                                body)["volume_type"]["id"]}


def _private_type(env, who):
    return _type(env, who, public=False)


def _private_type_with_access(env, who):
    ids = _type(env, who, public=False)
    env.call("admin", "POST", f"{VOL}/types/{ids['type_id']}/action",
             {"addProjectAccess": {"project": env.ids["demo"]}})
    return ids


def _type_name(env, who):
    return {"type_name": env.unique("new-type")}


def _meta_key(kind):
    """A metadata key of the shared volume or snapshot, new per caller."""
    def fresh(env, who):
        key = env.unique("key")
        env.call("admin", "POST", f"{VOL}/{kind}s/{env.ids[kind]}/metadata",
                 {"metadata": {key: "v"}})
        return {"mkey": key}
    return fresh


def _quota_project(env, who):
    """The admin writes the other project's volume quotas; everyone else
    tries the demo project's (their own, or another project's)."""
    return {"qp": env.ids["other_project"] if who == "admin"
            else env.ids["demo"]}


def type_rows():
    return [
        Row("GET", VOL + "/types", ALL_OK),
        Row("POST", VOL + "/types", ADMIN_ONLY,
            lambda ids: {"volume_type": {"name": ids["type_name"]}},
            fresh=_type_name),
        Row("GET", VOL + "/types/{type}", ALL_OK),
        Row("GET", VOL + "/types/{private_type}", codes(200, 200, 200, 404)),
        Row("PUT", T, ADMIN_ONLY, {"volume_type": {"description": "d"}},
            fresh=_type),
        Row("DELETE", T, ADMIN_ASYNC, fresh=_type),
        Row("GET", VOL + "/types/{type}/extra_specs", ADMIN_ONLY),
        Row("POST", T + "/extra_specs", ADMIN_ONLY,
            {"extra_specs": {"k": "v"}}, fresh=_type),
        Row("GET", VOL + "/types/{type}/extra_specs/k", ADMIN_ONLY),
        Row("PUT", T + "/extra_specs/k", ADMIN_ONLY, {"k": "v2"},
            fresh=_type),
        Row("DELETE", T + "/extra_specs/k", ADMIN_ASYNC,
            fresh=lambda env, who: _type(env, who, specs={"k": "v"})),
        Row("GET", VOL + "/types/{private_type}/os-volume-type-access",
            ADMIN_ONLY),
        action(T + "/action", "addProjectAccess",
               {"project": "{demo}"}, ADMIN_ASYNC, _private_type),
        action(T + "/action", "removeProjectAccess",
               {"project": "{demo}"}, ADMIN_ASYNC,
               _private_type_with_access),
    ]


def metadata_rows():
    return [
        Row("GET", VM, OWNER_READ),
        Row("POST", VM, OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("PUT", VM, OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("GET", VM + "/k", OWNER_READ),
        Row("PUT", VM + "/k", OWNER_WRITE, {"meta": {"k": "v"}}),
        Row("DELETE", VM + "/{mkey}", META_DELETE, fresh=_meta_key("volume")),
        Row("GET", SM, OWNER_READ),
        Row("POST", SM, OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("PUT", SM, OWNER_WRITE, {"metadata": {"k": "v"}}),
        Row("GET", SM + "/k", OWNER_READ),
        Row("PUT", SM + "/k", OWNER_WRITE, {"meta": {"k": "v"}}),
        Row("DELETE", SM + "/{mkey}", META_DELETE,
            fresh=_meta_key("snapshot")),
    ]


def quota_rows():
    return [
        Row("GET", VOL + "/os-quota-sets/{demo}", codes(200, 200, 200, 403)),
        Row("GET", VOL + "/os-quota-sets/{demo}/defaults", ALL_OK),
        Row("PUT", VOL + "/os-quota-sets/{qp}", ADMIN_ONLY,
            {"quota_set": {"volumes": 50}}, fresh=_quota_project),
        Row("DELETE", VOL + "/os-quota-sets/{qp}", codes(200, 403, 403, 403),
            fresh=_quota_project),
    ]


def rows():
    return type_rows() + metadata_rows() + quota_rows() + [
        Row("GET", "/volume", same(300)),
        Row("GET", VOL, ALL_OK),
        Row("GET", VOL + "/volumes", ALL_OK),
        Row("GET", VOL + "/volumes/detail", ALL_OK),
        Row("POST", VOL + "/volumes", CREATE,
            {"volume": {"size": 1, "name": "matrix"}}),
        Row("GET", VOL + "/{demo}/volumes", codes(404, 200, 200, 404)),
        Row("GET", VOL + "/volumes/{volume}", OWNER_READ),
        Row("PUT", VOL + "/volumes/{volume}", OWNER_WRITE,
            {"volume": {"description": "changed"}}),
        Row("DELETE", V, ASYNC_DELETE, fresh=_volume),
        action(V + "/action", "os-extend", {"new_size": 2}, ACTION_WRITE,
               _volume),
        action(V + "/action", "os-volume_upload_image",
               {"image_name": "uploaded"}, ACTION_WRITE, _volume),
        Row("GET", VOL + "/snapshots", ALL_OK),
        Row("GET", VOL + "/snapshots/detail", ALL_OK),
        Row("POST", VOL + "/snapshots", codes(202, 202, 403, 404),
            {"snapshot": {"volume_id": "{volume}", "name": "matrix"}}),
        Row("GET", VOL + "/snapshots/{snapshot}", OWNER_READ),
        Row("PUT", VOL + "/snapshots/{snapshot}", OWNER_WRITE,
            {"snapshot": {"name": "renamed"}}),
        Row("DELETE", SN, ASYNC_DELETE, fresh=_snapshot),
        Row("GET", A, OWNER_READ),
        Row("GET", A + "/{attached}", OWNER_READ),
        Row("POST", A, codes(200, 200, 403, 404),
            {"volumeAttachment": {"volumeId": "{volume_id}"}},
            fresh=_volume),
        Row("DELETE", A + "/{volume_id}", ASYNC_DELETE, fresh=_attached),
        # Below 2.85 PUT is Nova's swap (admin), refused with a 409 as
        # the volume is not migrating; from 2.85 delete_on_termination.
        Row("PUT", A + "/{attached}", codes(409, 403, 403, 404),
            {"volumeAttachment": {"volumeId": "{volume}"}}),
        Row("PUT", A + "/{attached}", codes(202, 202, 403, 404),
            {"volumeAttachment": {"volumeId": "{attached}",
                                  "delete_on_termination": False}},
            headers={"OpenStack-API-Version": "compute 2.85"}),
    ]


def unlimited_volumes(cloud):
    """The matrix makes more volumes and snapshots than the default
    quotas allow."""
    for name in ("volumes", "snapshots", "gigabytes"):
        cloud.stack.conf.set_override(name, -1, "quota")


def _setup(cloud):
    unlimited_volumes(cloud)
    env = Env(cloud)
    ids = env.ids
    server = env.call("member", "POST", "/v2.1/servers", SERVER)["server"]
    env.wait_servers([server["id"]], "ACTIVE")
    ids["server"] = server["id"]
    ids["volume"] = new_volume(env)
    ids["snapshot"] = new_snapshot(env, ids["volume"])
    ids["attached"] = new_volume(env)
    attach(env, server["id"], ids["attached"])
    for kind in ("volume", "snapshot"):
        env.call("member", "POST", f"{VOL}/{kind}s/{ids[kind]}/metadata",
                 {"metadata": {"k": "v"}})
    ids["type"] = _type(env, "admin", specs={"k": "v"})["type_id"]
    ids["private_type"] = _private_type_with_access(env, "admin")["type_id"]
    return env


def test_policy_matrix_volumes(cloud, advertise):
    advertise(85)
    env = _setup(cloud)
    wrong = run(env, rows())
    assert not wrong, "\n".join(map(str, wrong))


def test_other_project_neither_sees_nor_attaches(cloud):
    env = Env(cloud)
    volume_id = new_volume(env)
    theirs = env.call("other", "POST", "/v2.1/servers", SERVER)["server"]
    env.wait_servers([theirs["id"]], "ACTIVE")
    listed = env.call("other", "GET", VOL + "/volumes/detail",
                      query={"all_tenants": "True"})["volumes"]
    assert volume_id not in [v["id"] for v in listed]
    resp = env.request("other", "POST",
                       f"/v2.1/servers/{theirs['id']}/os-volume_attachments",
                       {"volumeAttachment": {"volumeId": volume_id}})
    assert resp.status_code == 404, resp.text
    assert "itemNotFound" in resp.json()
    assert wait_status(env, "volume", volume_id, "available")[
        "attachments"] == []
    # The admin sees every project's volumes when asking for them.
    everyone = env.call("admin", "GET", VOL + "/volumes/detail",
                        query={"all_tenants": "True"})["volumes"]
    assert volume_id in [v["id"] for v in everyone]
