"""Compute API 2.83 through the in-process stack (fake plugin, hosts
fake-1 and fake-2) and the stock client: ``GET /servers`` and
``/servers/detail`` filter by ``availability_zone``, ``config_drive``,
``key_name``, ``created_at``, ``launched_at``, ``terminated_at``,
``power_state``, ``progress`` (regexes searched in the column's text, as
Nova's database matches them), ``user_id``, ``task_state`` and
``vm_state`` (exact) for everyone from 2.83; administrators at every
version; a non-admin's below 2.83 are dropped. A pattern Python does not
compile is Nova's 400 at every version."""

import json
import time

from tests.functional.api.test_microversions_74 import IMAGE, _settled

_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0gPMM3DwcV+xmpkzx"
        "9k1bJlqNbaeKpKVGHg1zTq1G filters@example")


def _boot(cloud, name, **extra):
    body = {"server": dict({"name": name, "flavorRef": "1",
                            "imageRef": IMAGE, "networks": "none"},
                           **extra)}
    resp = cloud.sdk("member").compute.post("/servers", json=body,
                                            microversion="2.37")
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    assert _settled(cloud, sid)["status"] == "ACTIVE"
    return sid


def _action(cloud, sid, action, status):
    conn = cloud.sdk("member")
    resp = conn.compute.post(f"/servers/{sid}/action", json={action: None})
    assert resp.status_code == 202, resp.text
    deadline = time.monotonic() + 30
    while conn.compute.get(f"/servers/{sid}").json()["server"][
            "status"] != status:
        assert time.monotonic() < deadline, f"{sid} never {status}"
        time.sleep(0.2)


def _names(cloud, query, version, who="member", detail=False):
    path = "/servers/detail" if detail else "/servers"
    resp = cloud.sdk(who).compute.get(f"{path}?{query}",
                                      microversion=version)
    assert resp.status_code == 200, (query, version, resp.text)
    return sorted(s["name"] for s in resp.json()["servers"])


def _setup(cloud):
    """Three servers of ``member`` (project demo) and one of ``admin``
    (project admin, nova): keyed (k1, nova), zoned (az-b, then
    stopped), paused (nova)."""
    admin = cloud.sdk("admin")
    agg = admin.compute.post("/os-aggregates", json={"aggregate": {
        "name": "agg-b", "availability_zone": "az-b"}}).json()["aggregate"]
    resp = admin.compute.post(f"/os-aggregates/{agg['id']}/action",
                              json={"add_host": {"host": "fake-2"}})
    assert resp.status_code == 200, resp.text
    resp = cloud.sdk("member").compute.post(
        "/os-keypairs", json={"keypair": {"name": "k1", "public_key": _KEY}})
    assert resp.status_code == 200, resp.text
    # A server is in its host's zone: all but zoned are asked into nova
    # (fake-1), where an unpinned one might not land.
    ids = {"keyed": _boot(cloud, "keyed", key_name="k1",
                          availability_zone="nova"),
           "zoned": _boot(cloud, "zoned", availability_zone="az-b"),
           "paused": _boot(cloud, "paused", availability_zone="nova")}
    _action(cloud, ids["zoned"], "os-stop", "SHUTOFF")
    _action(cloud, ids["paused"], "pause", "PAUSED")
    body = {"server": {"name": "admins", "flavorRef": "1",
                       "imageRef": IMAGE, "networks": "none",
                       "availability_zone": "nova"}}
    resp = admin.compute.post("/servers", json=body, microversion="2.37")
    assert resp.status_code == 202, resp.text
    assert _settled(cloud, resp.json()["server"]["id"])["status"] == \
        "ACTIVE"
    return ids


def test_list_filters_for_everyone_from_2_83(cloud, advertise):
    advertise(83)
    _setup(cloud)
    shown = {s["name"]: s for s in cloud.sdk("member").compute.get(
        "/servers/detail").json()["servers"]}
    user = shown["keyed"]["user_id"]
    assert shown["zoned"]["OS-EXT-AZ:availability_zone"] == "az-b"
    assert shown["keyed"]["OS-EXT-AZ:availability_zone"] == "nova"
    assert (shown["zoned"]["OS-EXT-STS:power_state"],
            shown["paused"]["OS-EXT-STS:power_state"],
            shown["keyed"]["OS-EXT-STS:power_state"]) == (4, 3, 1)
    day = shown["keyed"]["created"][:10]
    every = ["keyed", "paused", "zoned"]
    demo = cloud.project_ids["demo"]
    cases = [
        ("availability_zone=az-b", ["zoned"]),
        ("availability_zone=^nova$", ["keyed", "paused"]),
        ("availability_zone=az", ["zoned"]),          # searched
        ("key_name=k1", ["keyed"]),
        ("key_name=^k$", []),
        ("key_name=.", ["keyed"]),                    # NULL: no match
        ("power_state=4", ["zoned"]),
        ("power_state=^[34]$", ["paused", "zoned"]),
        ("vm_state=stopped", ["zoned"]),
        ("vm_state=stop", []),                        # exact
        ("task_state=rebooting", []),
        ("user_id=" + user, every),
        ("user_id=" + user[:-1], []),                 # exact
        (f"created_at=^{day} ", every),               # Nova's DB text
        (f"created_at={day}T", []),
        (f"launched_at=^{day}", every),
        ("terminated_at=.", []),
        ("config_drive=True", []),   # nimbus attaches no config drive
        ("config_drive=^$", every),
        ("progress=^[0-9]{1,3}$", every),
        ("key_name=k&power_state=1", ["keyed"]),
        ("key_name=k&power_state=4", []),
    ]
    for query, expected in cases:
        assert _names(cloud, query, "2.83") == expected, query
        assert _names(cloud, query, "2.83", detail=True) == expected, query
        # Below 2.83 a non-admin's are dropped, the list is unfiltered.
        assert _names(cloud, query, "2.82") == every, query
        # Administrators have them at every version.
        assert _names(cloud, f"{query}&all_tenants=1&project_id={demo}",
                      "2.1", who="admin") == expected, query
    # status (any caller's) wins over vm_state, as Nova's does.
    for version in ("2.82", "2.83"):
        assert _names(cloud, "vm_state=paused&status=SHUTOFF",
                      version) == ["zoned"]
    assert _names(cloud, "vm_state=paused&status=SHUTOFF&key_name=k",
                  "2.83") == []
    assert _names(cloud, "key_name=.&all_tenants=1", "2.1",
                  who="admin") == ["keyed"]
    assert _names(cloud, "power_state=1&all_tenants=1", "2.1",
                  who="admin") == ["admins", "keyed"]
    assert _names(cloud, "power_state=1", "2.1", who="admin") == ["admins"]
    assert _names(cloud, f"user_id={user}&all_tenants=1", "2.1",
                  who="admin") == every
    # progress: what the body shows (ACTIVE 100; the others 0, unshown).
    assert shown["keyed"]["progress"] == 100
    assert "progress" not in shown["zoned"]
    assert _names(cloud, "progress=^100$", "2.83") == ["keyed"]
    assert _names(cloud, "progress=^0$", "2.83") == ["paused", "zoned"]
    assert _names(cloud, "progress=^1$", "2.83") == []
    # Paging goes on in the filtered list.
    resp = cloud.sdk("member").compute.get(
        "/servers?power_state=^[34]$&limit=1", microversion="2.83")
    first = resp.json()["servers"]
    assert len(first) == 1 and "servers_links" in resp.json()
    rest = _names(cloud, f"power_state=^[34]$&marker={first[0]['id']}",
                  "2.83")
    assert sorted(rest + [first[0]["name"]]) == ["paused", "zoned"]


def test_bad_patterns_are_400_at_every_version(cloud, advertise):
    advertise(83)
    for param in ("availability_zone", "config_drive", "key_name",
                  "created_at", "launched_at", "terminated_at",
                  "power_state", "progress"):
        for version, who in (("2.1", "admin"), ("2.1", "member"),
                             ("2.74", "member"), ("2.82", "member"),
                             ("2.83", "member"), ("2.83", "admin")):
            resp = cloud.sdk(who).compute.get(
                f"/servers?{param}=(", microversion=version)
            assert resp.status_code == 400, (param, version, resp.text)
            message = resp.json()["badRequest"]["message"]
            assert message.startswith(
                f"Invalid input for query parameters {param}."), message
    # Exact filters take any text; an unknown parameter is still 2.75's
    # 400.
    for query in ("vm_state=(", "task_state=(", "user_id=("):
        assert _names(cloud, query, "2.83") == []
    resp = cloud.sdk("member").compute.get("/servers?locked_reason=x",
                                           microversion="2.83")
    assert resp.status_code == 400, resp.text


def _osc_names(cloud, who, version, *args):
    out = cloud.openstack(who, "--os-compute-api-version", version,
                          "server", "list", "-f", "json", *args).stdout
    return sorted(row["Name"] for row in json.loads(out))


def test_openstack_server_list_filters(cloud, advertise):
    advertise(83)
    _setup(cloud)
    member = cloud.sdk("member")
    user = member.compute.get("/servers/detail").json()["servers"][0][
        "user_id"]
    every = ["keyed", "paused", "zoned"]
    for args, expected in (
            (("--availability-zone", "az-b"), ["zoned"]),
            (("--key-name", "k1"), ["keyed"]),
            (("--power-state", "shutdown"), ["zoned"]),
            (("--power-state", "paused"), ["paused"]),
            (("--vm-state", "stopped"), ["zoned"]),
            (("--progress", "100"), ["keyed"]),
            (("--task-state", "rebooting"), []),
            (("--user", user), every),
            (("--changes-since", "2000-01-01T00:00:00Z"), every),
            (("--changes-since", "2999-01-01T00:00:00Z"), [])):
        assert _osc_names(cloud, "member", "2.83", *args) == expected, args
        ignored = every if args[0] != "--changes-since" else expected
        assert _osc_names(cloud, "member", "2.82", *args) == ignored, args
    # The client sends config_drive=False and also keeps only the rows
    # whose body says ``false`` (none: Nova's and nimbus's say ""), so
    # its answer is empty whatever the server filters.
    assert _osc_names(cloud, "member", "2.83", "--no-config-drive") == []
    assert _osc_names(cloud, "admin", "2.1", "--all-projects",
                      "--power-state", "running") == ["admins", "keyed"]
    assert _osc_names(cloud, "admin", "2.1", "--all-projects",
                      "--availability-zone", "az-b") == ["zoned"]
