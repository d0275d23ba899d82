"""Compute API 2.55 and 2.56 through the in-process stack (fake hosts
fake-1 and fake-2) and stock clients: flavor descriptions (create,
bodies, ``PUT /flavors/{id}``) and cold migration to a named host,
refused as Nova refuses it or, when the scheduler finds the host unfit,
ended in a failed migration with the server where it was."""

import json
import time

import jsonschema

from tests.functional.api.test_volume_stock_clients import osc_json
from tests.functional.test_cli import nimbus


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def flavor_schema(minor, detail=True):
    """Nova's flavor body at 2.``minor`` (2.1 to 2.60; detail or the
    list's brief one)."""
    props = {"id": {"type": "string"}, "name": {"type": "string"},
             "links": {"type": "array"}}
    if detail:
        props.update({
            "ram": {"type": "integer"}, "vcpus": {"type": "integer"},
            "disk": {"type": "integer"},
            "OS-FLV-EXT-DATA:ephemeral": {"type": "integer"},
            "swap": {"type": ["integer", "string"]},
            "rxtx_factor": {"type": ["number", "string"]},
            "os-flavor-access:is_public": {"type": "boolean"},
            "OS-FLV-DISABLED:disabled": {"type": "boolean"}})
    if minor >= 55:
        props["description"] = {"type": ["string", "null"]}
    return {"type": "object", "properties": props,
            "required": sorted(props), "additionalProperties": False}


def test_flavor_description_from_2_55(cloud):
    admin = cloud.sdk("admin")
    created = osc_json(cloud, "admin", "--os-compute-api-version", "2.55",
                       "flavor", "create", "--ram", "64", "--vcpus", "1",
                       "--disk", "1", "--description", "a small one",
                       "described")
    assert created["description"] == "a small one"
    fid = created["id"]

    def show(minor, who="admin"):
        resp = cloud.sdk(who).compute.get(f"/flavors/{fid}",
                                          headers=_v(minor))
        assert resp.status_code == 200, resp.text
        return resp.json()["flavor"]

    for minor in (54, 55):
        jsonschema.validate(show(minor), flavor_schema(minor))
        for path, detail in (("/flavors", False), ("/flavors/detail", True)):
            listed = admin.compute.get(path, headers=_v(minor)).json()
            for body in listed["flavors"]:
                jsonschema.validate(body, flavor_schema(minor, detail))
    assert show(55, "member")["description"] == "a small one"
    listed = {f["id"]: f for f in admin.compute.get(
        "/flavors", headers=_v(55)).json()["flavors"]}
    assert (listed[fid]["description"], listed["1"]["description"]) == \
        ("a small one", None)

    # openstackclient's flavor set --description (PUT /flavors/{id}).
    cloud.openstack("admin", "--os-compute-api-version", "2.55", "flavor",
                    "set", "--description", "changed", "described")
    assert show(55)["description"] == "changed"
    assert osc_json(cloud, "member", "--os-compute-api-version", "2.55",
                    "flavor", "show", "described")["description"] == \
        "changed"
    # nimbus's own verbs.
    out = nimbus(cloud.env("admin"), "flavor", "set", "--description",
                 "by nimbus", "described")
    assert out.returncode == 0, out.stderr
    assert show(55)["description"] == "by nimbus"
    out = nimbus(cloud.env("admin"), "flavor", "create", "--description",
                 "also by nimbus", "nimbus-described", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["description"] == "also by nimbus"

    def put(minor, body, who="admin", flavor=fid):
        return cloud.sdk(who).compute.put(f"/flavors/{flavor}",
                                          headers=_v(minor), json=body)

    resp = put(55, {"flavor": {"description": None}})
    assert resp.status_code == 200, resp.text
    jsonschema.validate(resp.json()["flavor"], flavor_schema(55))
    assert resp.json()["flavor"]["description"] is None
    resp = put(55, {"flavor": {"description": "x" * 65535}})
    assert resp.status_code == 200, resp.text
    assert show(55)["description"] == "x" * 65535
    # No such route below 2.55; the policy is the admin's; bad bodies
    # and unknown flavors as Nova answers them; nothing changes.
    assert put(54, {"flavor": {"description": "d"}}).status_code == 404
    resp = put(55, {"flavor": {"description": "d"}}, who="member")
    assert resp.status_code == 403, resp.text
    assert "os_compute_api:os-flavor-manage:update" in resp.text
    for bad in ({"flavor": {"description": "x" * 65536}},
                {"flavor": {"description": "tab\there"}},
                {"flavor": {"name": "renamed"}}, {"flavor": {}},
                {"description": "d"}):
        resp = put(55, bad)
        assert resp.status_code == 400, (bad, resp.text)
        assert "badRequest" in resp.json()
    assert put(55, {"flavor": {"description": "d"}},
               flavor="missing").status_code == 404
    assert show(55)["description"] == "x" * 65535

    # A description at create only from 2.55.
    body = {"flavor": {"name": "early", "ram": 64, "vcpus": 1, "disk": 1,
                       "description": "too early"}}
    resp = admin.compute.post("/flavors", headers=_v(54), json=body)
    assert resp.status_code == 400, resp.text
    assert "description" in resp.json()["badRequest"]["message"]
    resp = admin.compute.post("/flavors", headers=_v(55), json=body)
    assert resp.status_code == 200, resp.text
    jsonschema.validate(resp.json()["flavor"], flavor_schema(55))


def _show(cloud, sid):
    return cloud.sdk("admin").compute.get(f"/servers/{sid}").json()[
        "server"]


def _wait(cloud, sid, status, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        shown = _show(cloud, sid)
        if shown["status"] == status and \
                shown["OS-EXT-STS:task_state"] is None:
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def _migrate(cloud, sid, body, minor=56, who="admin"):
    return cloud.sdk(who).compute.post(f"/servers/{sid}/action",
                                       headers=_v(minor),
                                       json={"migrate": body})


def _migrations(cloud, sid):
    return json.loads(cloud.openstack(
        "admin", "server", "migration", "list", "--server", sid,
        "-f", "json").stdout)


def test_migrate_to_a_named_host_from_2_56(cloud):
    created = osc_json(cloud, "member", "server", "create", "--image",
                       "demo", "--flavor", "m1.tiny", "--wait", "mover")
    sid = created["id"]
    source = _show(cloud, sid)["OS-EXT-SRV-ATTR:host"]
    target = "fake-2" if source == "fake-1" else "fake-1"

    # Refused before anything moves: host below 2.56, unknown host, the
    # server's own host, a host for a member, a malformed host.
    resp = _migrate(cloud, sid, {"host": target}, minor=55)
    assert resp.status_code == 400, resp.text
    assert "host" in resp.json()["badRequest"]["message"]
    resp = _migrate(cloud, sid, {"host": "fake-9"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == \
        "Compute host fake-9 could not be found."
    resp = _migrate(cloud, sid, {"host": source})
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == \
        "Cannot migrate to the host where the server exists."
    assert _migrate(cloud, sid, {"host": target},
                    who="member").status_code == 403
    assert _migrate(cloud, sid, {"host": "a host"}).status_code == 400
    assert _migrations(cloud, sid) == []

    # A host the scheduler finds unfit (its compute disabled): accepted,
    # then the migration fails and the server stays, as in Nova.
    admin = cloud.sdk("admin")
    service = {"host": target, "binary": "nimbus-compute"}
    assert admin.compute.put("/os-services/disable",
                             json=service).status_code == 200
    try:
        resp = _migrate(cloud, sid, {"host": target})
        assert resp.status_code == 202, resp.text
        deadline = time.monotonic() + 30
        while [m["Status"] for m in _migrations(cloud, sid)] != ["error"]:
            assert time.monotonic() < deadline
            time.sleep(0.3)
        shown = _wait(cloud, sid, "ACTIVE")
        assert shown["OS-EXT-SRV-ATTR:host"] == source
    finally:
        admin.compute.put("/os-services/enable", json=service)

    # openstackclient's --host (it asks for 2.56), then confirm.
    cloud.openstack("admin", "--os-compute-api-version", "2.56", "server",
                    "migrate", "--host", target, "--wait", sid)
    shown = _wait(cloud, sid, "VERIFY_RESIZE")
    assert shown["OS-EXT-SRV-ATTR:host"] == target
    cloud.openstack("admin", "server", "resize", "confirm", sid)
    shown = _wait(cloud, sid, "ACTIVE")
    assert shown["OS-EXT-SRV-ATTR:host"] == target
    assert sorted(m["Status"] for m in _migrations(cloud, sid)) == \
        ["confirmed", "error"]
    # A null body or host at 2.56 lets the scheduler pick (the source).
    resp = _migrate(cloud, sid, {"host": None})
    assert resp.status_code == 202, resp.text
    assert _wait(cloud, sid, "VERIFY_RESIZE")["OS-EXT-SRV-ATTR:host"] == \
        source
