"""Compute API 2.61 through the in-process stack and the stock clients:
detailed flavor bodies (show, list detail, create) carry the flavor's
``extra_specs`` for callers the policy lets list them
(``os_compute_api:os-flavor-extra-specs:index``), checked against the
2.61 shape of Nova's API reference."""

import json

from tests.functional.api.test_microversions_53 import _LINKS, _object, checked

V261 = "2.61"
_NUMBER = {"type": "number"}
_LINK = {"type": "array", "items": _object({
    "href": {"type": "string"}, "rel": {"enum": ["self", "bookmark"]}})}
_FLAVOR_KEYS = {
    "id": {"type": "string"}, "name": {"type": "string"},
    "ram": {"type": "integer"}, "vcpus": {"type": "integer"},
    "disk": {"type": "integer"},
    "OS-FLV-EXT-DATA:ephemeral": {"type": "integer"},
    "swap": {"type": ["integer", "string"]}, "rxtx_factor": _NUMBER,
    "os-flavor-access:is_public": {"type": "boolean"},
    "OS-FLV-DISABLED:disabled": {"type": "boolean"}, "links": _LINK}
_SPECS = {"type": "object", "additionalProperties": {"type": "string"}}
#: 2.55's ``description``, in every flavor body from then on.
_DESCRIBED = dict(_FLAVOR_KEYS, description={"type": ["string", "null"]})
#: a detailed flavor from 2.61 (``extra_specs`` policy-gated).
FLAVOR = _object(_DESCRIBED, {"extra_specs": _SPECS})
FLAVOR_WITH_SPECS = _object(dict(_DESCRIBED, extra_specs=_SPECS))
#: 2.53: the 2.1 keys only.
FLAVOR_OLD = _object(_FLAVOR_KEYS)


def _wrap(flavor):
    return _object({"flavor": flavor})


def _list(flavor):
    return _object({"flavors": {"type": "array", "items": flavor}},
                   {"flavors_links": _LINKS})


def _get(conn, path, version=V261):
    return conn.compute.get(path, microversion=version)


def _may_read_specs(conn, flavor_id):
    status = _get(conn, f"/flavors/{flavor_id}/os-extra_specs").status_code
    assert status in (200, 403)
    return status == 200


def test_flavor_bodies_carry_extra_specs_from_2_61(cloud):
    admin = cloud.sdk()
    resp = admin.compute.post("/flavors", json={"flavor": {
        "name": "specs61", "ram": 128, "vcpus": 1, "disk": 1}},
        microversion=V261)
    created = checked(resp, _wrap(FLAVOR_WITH_SPECS))["flavor"]
    assert created["extra_specs"] == {}
    fid = created["id"]
    admin.compute.post(f"/flavors/{fid}/os-extra_specs", json={
        "extra_specs": {"hw:cpu_policy": "shared", "quota:x": "1"}})
    specs = {"hw:cpu_policy": "shared", "quota:x": "1"}
    shown = checked(_get(admin, f"/flavors/{fid}"),
                    _wrap(FLAVOR_WITH_SPECS))["flavor"]
    assert shown["extra_specs"] == specs
    listed = checked(_get(admin, "/flavors/detail"),
                     _list(FLAVOR_WITH_SPECS))["flavors"]
    assert {f["id"]: f["extra_specs"] for f in listed}[fid] == specs
    # The brief list stays id, name, description and links; 2.53 keeps
    # the old shapes.
    brief = checked(_get(admin, "/flavors"), _list(_object({
        "id": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": ["string", "null"]}, "links": _LINK})))
    assert fid in {f["id"] for f in brief["flavors"]}
    checked(_get(admin, f"/flavors/{fid}", "2.53"), _wrap(FLAVOR_OLD))
    checked(_get(admin, "/flavors/detail", "2.53"), _list(FLAVOR_OLD))

    # Others see the specs exactly when they may list them.
    for who in ("member", "reader", "other"):
        conn = cloud.sdk(who)
        body = checked(_get(conn, f"/flavors/{fid}"), _wrap(FLAVOR))
        assert ("extra_specs" in body["flavor"]) == \
            _may_read_specs(conn, fid), who
        if "extra_specs" in body["flavor"]:
            assert body["flavor"]["extra_specs"] == specs
        detail = checked(_get(conn, "/flavors/detail"), _list(FLAVOR))
        assert all(("extra_specs" in f) == _may_read_specs(conn, fid)
                   for f in detail["flavors"]), who
    admin.compute.delete(f"/flavors/{fid}")


def test_stock_clients_read_specs_from_the_flavor_body(
        cloud, monkeypatch):
    """At 2.61 ``openstack flavor show`` and ``flavor list --long`` (via
    openstacksdk) take the properties from the flavor body: they ask
    os-extra_specs only when the body has none (so still for flavors
    without specs)."""
    import pecan

    from nimbus.api.openstack import common
    admin = cloud.sdk()
    admin.compute.post("/flavors", json={"flavor": {
        "name": "cli61", "ram": 128, "vcpus": 1, "disk": 1, "id": "cli61"}})
    admin.compute.post("/flavors/cli61/os-extra_specs", json={
        "extra_specs": {"hw:numa_nodes": "1"}})
    asked = []
    authorize = common.authorize

    def spy(action, target=None):
        asked.append(pecan.request.path)
        return authorize(action, target)

    monkeypatch.setattr(common, "authorize", spy)
    index = "/v2.1/flavors/cli61/os-extra_specs"
    osc = ("--os-compute-api-version", V261, "flavor")

    def properties(*args):
        out = cloud.openstack("admin", *osc, *args, "-f", "json").stdout
        return json.loads(out)

    shown = properties("show", "cli61")
    assert shown["properties"] == {"hw:numa_nodes": "1"}
    rows = {r["ID"]: r for r in properties("list", "--long", "--all")}
    assert rows["cli61"]["Properties"] == {"hw:numa_nodes": "1"}
    assert index not in asked
    # Below 2.61 the client has to ask for them, one request per flavor.
    old = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", "2.53", "flavor", "show",
        "cli61", "-f", "json").stdout)
    assert old["properties"] == {"hw:numa_nodes": "1"}
    assert index in asked

    # novaclient reads the body's extra_specs too.
    from tests.functional.api.test_microversions_32_plus import _novaclient
    flavor = _novaclient(cloud, V261).flavors.get("cli61")
    assert flavor.to_dict()["extra_specs"] == {"hw:numa_nodes": "1"}
    admin.compute.delete("/flavors/cli61")
