"""Volume types, volume metadata and volume quotas with the stock client
(python-openstackclient) against nimbus alone (fake volume backend):
``openstack volume type create/list/show/set/unset/delete``, private
types and their project access, ``volume create --type`` and the
default type, the backend a type names, ``volume set/unset --property``,
and ``openstack quota set --volumes --gigabytes --snapshots`` followed by
a create over quota (413 as Cinder answers)."""

import time

import requests

from tests.functional.api.test_volume_stock_clients import osc_json


def _fail(cloud, who, *args):
    """Run a command expected to fail; return its stderr."""
    result = cloud.openstack(who, *args, check=False)
    assert result.returncode == 1, (args, result.stdout)
    return result.stderr


def _call(cloud, who, method, path, body=None):
    base = cloud.url + "/volume/v3"
    return requests.request(
        method, base + path, json=body, timeout=30,
        headers={"X-Auth-Token": cloud.token(who),
                 "OpenStack-API-Version": "volume 3.71"})


def _wait(cloud, who, kind, ident, status="available", timeout=60):
    """Poll ``GET /{kind}s/{id}`` (raw: the CLI costs seconds a call)."""
    deadline = time.monotonic() + timeout
    while True:
        body = _call(cloud, who, "GET", f"/{kind}s/{ident}").json()[kind]
        if body["status"] == status:
            return body
        assert not body["status"].startswith("error"), body
        assert time.monotonic() < deadline, (body, status)
        time.sleep(0.2)


def _gone(cloud, who, *ids):
    for ident in ids:
        assert _call(cloud, who, "DELETE", f"/volumes/{ident}").ok
    deadline = time.monotonic() + 60
    while any(_call(cloud, who, "GET", f"/volumes/{i}").status_code != 404
              for i in ids):
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_openstack_cli_volume_types(cloud):
    osc = cloud.openstack
    gold = osc_json(cloud, "admin", "volume", "type", "create",
                    "--description", "fast disks", "--property",
                    "volume_backend_name=fake", "gold")
    assert gold["name"] == "gold" and gold["description"] == "fast disks"
    assert gold["is_public"] is True
    osc("admin", "volume", "type", "set", "--property", "tier=1",
        "--description", "fastest", "gold")
    shown = osc_json(cloud, "admin", "volume", "type", "show", "gold")
    assert shown["description"] == "fastest"
    assert shown["properties"] == {"volume_backend_name": "fake",
                                   "tier": "1"}
    osc("admin", "volume", "type", "unset", "--property", "tier", "gold")
    long_rows = osc_json(cloud, "admin", "volume", "type", "list", "--long")
    assert {r["Name"]: r["Properties"] for r in long_rows} == {
        "__DEFAULT__": {}, "gold": {"volume_backend_name": "fake"}}
    # Members see the types (not their extra specs) but cannot make any.
    listed = _call(cloud, "member", "GET", "/types").json()["volume_types"]
    assert sorted(t["name"] for t in listed) == ["__DEFAULT__", "gold"]
    assert all("extra_specs" not in t for t in listed)
    assert "403" in _fail(cloud, "member", "volume", "type", "create",
                          "mine")
    # A volume gets the type it names (name or id), or the default type.
    created = osc_json(cloud, "member", "volume", "create", "--size", "1",
                       "--type", "gold", "typed")
    assert created["type"] == "gold"
    plain = _call(cloud, "member", "POST", "/volumes", {
        "volume": {"size": 1, "name": "plain", "volume_type": None}})
    plain = plain.json()["volume"]
    assert plain["volume_type"] == "__DEFAULT__"
    by_id = _call(cloud, "member", "POST", "/volumes", {
        "volume": {"size": 1, "volume_type": gold["id"]}}).json()["volume"]
    assert by_id["volume_type"] == "gold"
    assert by_id["volume_type_id"] == gold["id"]
    unknown = _call(cloud, "member", "POST", "/volumes", {
        "volume": {"size": 1, "volume_type": "nope"}})
    assert unknown.status_code == 404 and "itemNotFound" in unknown.json()
    # A type in use cannot go (400, as Cinder), nor can the default type.
    assert "400" in _fail(cloud, "admin", "volume", "type", "delete",
                          "gold")
    in_use = _call(cloud, "admin", "DELETE", f"/types/{gold['id']}")
    assert in_use.status_code == 400, in_use.text
    assert "volumes present" in in_use.json()["badRequest"]["message"]
    default_id = _call(cloud, "admin", "GET", "/types/default").json()[
        "volume_type"]["id"]
    refused = _call(cloud, "admin", "DELETE", f"/types/{default_id}")
    assert refused.status_code == 400, refused.text
    # Renaming a type renames it in its volumes.
    osc("admin", "volume", "type", "set", "--name", "platinum", "gold")
    assert _wait(cloud, "member", "volume", created["id"])[
        "volume_type"] == "platinum"
    _gone(cloud, "member", created["id"], plain["id"], by_id["id"])
    osc("admin", "volume", "type", "delete", "platinum")
    assert [t["name"] for t in _call(cloud, "admin", "GET", "/types").json()[
        "volume_types"]] == ["__DEFAULT__"]


def test_private_type_access_and_backend(cloud):
    osc = cloud.openstack
    demo = cloud.project_ids["demo"]
    secret = osc_json(cloud, "admin", "volume", "type", "create",
                      "--private", "--project", demo, "secret")
    assert secret["is_public"] is False
    shown = osc_json(cloud, "admin", "volume", "type", "show", "secret")
    assert shown["access_project_ids"] in ([demo], demo)
    assert "secret" in [t["name"] for t in _call(
        cloud, "member", "GET", "/types").json()["volume_types"]]
    assert "secret" not in [t["name"] for t in _call(
        cloud, "other", "GET", "/types").json()["volume_types"]]
    missing = _call(cloud, "other", "GET", f"/types/{secret['id']}")
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    # A project without access cannot use the type; one with access can.
    assert _call(cloud, "other", "POST", "/volumes", {"volume": {
        "size": 1, "volume_type": "secret"}}).status_code == 404
    mine = _call(cloud, "member", "POST", "/volumes", {"volume": {
        "size": 1, "volume_type": "secret"}}).json()["volume"]
    assert _wait(cloud, "member", "volume", mine["id"])[
        "volume_type"] == "secret"
    osc("admin", "volume", "type", "unset", "--project", demo, "secret")
    assert "secret" not in [t["name"] for t in _call(
        cloud, "member", "GET", "/types").json()["volume_types"]]
    access = _call(cloud, "admin", "GET",
                   f"/types/{secret['id']}/os-volume-type-access")
    assert access.json() == {"volume_type_access": []}
    # A type naming a backend no host reports: the volume goes to error
    # with the scheduler's reason (Cinder records it, as with no room).
    remote = _call(cloud, "admin", "POST", "/types", {"volume_type": {
        "name": "remote",
        "extra_specs": {"volume_backend_name": "elsewhere"}}})
    assert remote.status_code == 200, remote.text
    far = _call(cloud, "member", "POST", "/volumes", {"volume": {
        "size": 1, "volume_type": "remote"}}).json()["volume"]
    assert far["status"] == "error"
    _gone(cloud, "member", mine["id"], far["id"])


def test_openstack_cli_volume_properties(cloud):
    osc = cloud.openstack
    vid = osc_json(cloud, "member", "volume", "create", "--size", "1",
                   "--property", "a=1", "meta")["id"]
    _wait(cloud, "member", "volume", vid)
    osc("member", "volume", "set", "--property", "b=2", "--property",
        "c=3", "meta")
    osc("member", "volume", "unset", "--property", "a", "--property", "c",
        "meta")
    shown = osc_json(cloud, "member", "volume", "show", "meta")
    assert shown["properties"] == {"b": "2"}
    # The subresource routes, and Cinder's 400 for bad metadata.
    path = f"/volumes/{vid}/metadata"
    assert _call(cloud, "member", "GET", path).json() == {
        "metadata": {"b": "2"}}
    put = _call(cloud, "member", "PUT", path + "/k", {"meta": {"k": "v"}})
    assert put.status_code == 200 and put.json() == {"meta": {"k": "v"}}
    assert _call(cloud, "member", "GET", path + "/k").json() == {
        "meta": {"k": "v"}}
    mismatch = _call(cloud, "member", "PUT", path + "/k",
                     {"meta": {"other": "v"}})
    assert mismatch.status_code == 400 and "badRequest" in mismatch.json()
    for bad in ({"metadata": {"x" * 256: "v"}},
                {"metadata": {"k": "v" * 256}},
                {"metadata": {"k": 1}}, {"metadata": "nope"},
                {"metadata": {f"k{i}": "v" for i in range(129)}}):
        answer = _call(cloud, "member", "POST", path, bad)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["badRequest"]["code"] == 400
    # 126 keys are there to add to 2, 127 are one too many: nothing
    # of a refused request is written.
    too_many = _call(cloud, "member", "POST", path, {"metadata": {
        f"k{i}": "v" for i in range(127)}})
    assert too_many.status_code == 400, too_many.text
    assert _call(cloud, "member", "GET", path).json() == {
        "metadata": {"b": "2", "k": "v"}}
    replaced = _call(cloud, "member", "PUT", path, {"metadata": {"z": "9"}})
    assert replaced.json() == {"metadata": {"z": "9"}}
    assert _call(cloud, "member", "DELETE", path + "/nope").status_code == \
        404
    assert _call(cloud, "member", "DELETE", path + "/z").status_code < 300
    assert _call(cloud, "member", "GET", path).json() == {"metadata": {}}
    # Another project neither sees nor changes them; a reader only reads.
    assert _call(cloud, "other", "GET", path).status_code == 404
    assert _call(cloud, "other", "POST", path,
                 {"metadata": {"k": "v"}}).status_code == 404
    assert _call(cloud, "reader", "GET", path).status_code == 200
    assert _call(cloud, "reader", "POST", path,
                 {"metadata": {"k": "v"}}).status_code == 403
    # Snapshot metadata too.
    osc("member", "volume", "snapshot", "create", "--volume", "meta",
        "--property", "s=1", "snap")
    osc("member", "volume", "snapshot", "set", "--property", "t=2", "snap")
    osc("member", "volume", "snapshot", "unset", "--property", "s", "snap")
    snap = osc_json(cloud, "member", "volume", "snapshot", "show", "snap")
    assert snap["properties"] == {"t": "2"}
    _wait(cloud, "member", "snapshot", snap["id"])
    assert _call(cloud, "member", "DELETE", f"/snapshots/{snap['id']}").ok
    deadline = time.monotonic() + 60
    while _call(cloud, "member", "GET",
                f"/snapshots/{snap['id']}").status_code != 404:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    _gone(cloud, "member", vid)


def test_openstack_cli_volume_quota_set(cloud):
    demo = cloud.project_ids["demo"]
    cloud.openstack("admin", "quota", "set", "--volumes", "2",
                    "--gigabytes", "3", "--snapshots", "1", "demo")
    volume_set = _call(cloud, "admin", "GET", f"/os-quota-sets/{demo}")
    assert {k: volume_set.json()["quota_set"][k] for k in (
        "volumes", "gigabytes", "snapshots")} == {
        "volumes": 2, "gigabytes": 3, "snapshots": 1}
    defaults = _call(cloud, "member", "GET",
                     f"/os-quota-sets/{demo}/defaults").json()["quota_set"]
    assert defaults["volumes"] == cloud.stack.conf.quota.volumes
    # Members cannot set quotas; unknown keys are 400.
    assert _call(cloud, "member", "PUT", f"/os-quota-sets/{demo}", {
        "quota_set": {"volumes": 50}}).status_code == 403
    bad = _call(cloud, "admin", "PUT", f"/os-quota-sets/{demo}",
                {"quota_set": {"volumes_gold": 5}})
    assert bad.status_code == 400 and "badRequest" in bad.json()
    # Over quota: 413 overLimit, and nothing is left behind.
    q1 = _call(cloud, "member", "POST", "/volumes",
               {"volume": {"size": 2, "name": "q1"}}).json()["volume"]
    err = _fail(cloud, "member", "volume", "create", "--size", "2", "q2")
    assert "413" in err, err
    q4 = _call(cloud, "member", "POST", "/volumes",
               {"volume": {"size": 1, "name": "q4"}}).json()["volume"]
    over = _call(cloud, "member", "POST", "/volumes",
                 {"volume": {"size": 1, "name": "q5"}})
    assert over.status_code == 413, over.text
    assert over.json()["overLimit"]["code"] == 413
    assert sorted(v["name"] for v in _call(
        cloud, "member", "GET", "/volumes").json()["volumes"]) == [
        "q1", "q4"]
    # Below usage is refused; back to the defaults.
    below = _call(cloud, "admin", "PUT", f"/os-quota-sets/{demo}",
                  {"quota_set": {"volumes": 1}})
    assert below.status_code == 400
    assert _call(cloud, "admin", "DELETE",
                 f"/os-quota-sets/{demo}").status_code < 300
    assert _call(cloud, "admin", "GET", f"/os-quota-sets/{demo}").json()[
        "quota_set"]["volumes"] == cloud.stack.conf.quota.volumes
    _wait(cloud, "member", "volume", q1["id"])
    _wait(cloud, "member", "volume", q4["id"])
    _gone(cloud, "member", q1["id"], q4["id"])
