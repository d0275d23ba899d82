"""Compute API 2.59 through the in-process stack and the stock clients:
``GET /os-migrations`` pages by ``limit`` and ``marker`` (a migration's
uuid), newest first (``created_at``, then ``id``), filters by
``changes-since`` and ends a full page with ``migrations_links``;
migration bodies (os-migrations and ``/servers/{id}/migrations``) carry
``uuid``. Records are written straight into the database (the workflows
that make them are tested on their own). Answers are checked against
the 2.59 shapes of Nova's API reference."""

import datetime
import uuid

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import (
    _LINKS,
    _NULL_STR,
    _UUID,
    _object,
    checked,
)
from tests.functional.api.test_migrations_read import IMAGE, _record
from tests.functional.api.test_volume_stock_clients import osc_json

V259 = "2.59"
_INT_OR_NULL = {"type": ["integer", "null"]}
_COMMON = {"id": {"type": "integer"}, "source_node": _NULL_STR,
           "dest_node": _NULL_STR, "source_compute": _NULL_STR,
           "dest_compute": _NULL_STR, "dest_host": _NULL_STR,
           "status": {"type": "string"}, "created_at": {"type": "string"},
           "updated_at": _NULL_STR}
_SELF_LINKS = {"type": "array", "items": _object({
    "href": {"type": "string"}, "rel": {"enum": ["self", "bookmark"]}})}
_OS_MIGRATION = dict(_COMMON, instance_uuid=_UUID,
                     old_instance_type_id=_INT_OR_NULL,
                     new_instance_type_id=_INT_OR_NULL,
                     migration_type={"type": "string"})
MIGRATIONS = _object({"migrations": {"type": "array", "items": _object(
    dict(_OS_MIGRATION, uuid=_UUID), {"links": _SELF_LINKS})}},
    {"migrations_links": _LINKS})
MIGRATIONS_OLD = _object({"migrations": {"type": "array", "items": _object(
    _OS_MIGRATION, {"links": _SELF_LINKS})}})
_PROGRESS = {f"{n}_bytes": _INT_OR_NULL for n in (
    "memory_total", "memory_processed", "memory_remaining", "disk_total",
    "disk_processed", "disk_remaining")}
SERVER_MIGRATION = _object(dict(_COMMON, server_uuid=_UUID, uuid=_UUID,
                                **_PROGRESS))


def _get(conn, path, version=V259):
    return conn.compute.get(path, microversion=version)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def test_migration_paging_changes_since_and_uuid(cloud):
    admin = cloud.sdk()
    sid = cloud.sdk("member").compute.create_server(
        name="m59", flavor_id="1", image_id=IMAGE, networks="auto").id
    older = [_record(sid, s) for s in ("confirmed", "error", "finished")]
    since = _now()
    newer = [_record(sid, "migrating"),
             _record(str(uuid.uuid4()), "confirmed", dest_compute="other")]
    _record(sid, "error", hidden=True)
    everything = checked(_get(admin, "/os-migrations"), MIGRATIONS)
    assert "migrations_links" not in everything
    listed = everything["migrations"]
    assert [m["uuid"] for m in listed] == [
        r["uuid"] for r in reversed(older + newer)]

    # Pages of two, by the next links, to the end.
    seen, query = [], "?limit=2"
    while True:
        page = checked(_get(admin, f"/os-migrations{query}"), MIGRATIONS)
        seen += page["migrations"]
        if "migrations_links" not in page:
            break
        link, = page["migrations_links"]
        assert f"marker={page['migrations'][-1]['uuid']}" in link["href"]
        query = "?" + link["href"].split("?", 1)[1]
    assert seen == listed
    after = checked(_get(admin, f"/os-migrations?marker={listed[1]['uuid']}"
                                "&status=confirmed"), MIGRATIONS)
    assert [m["uuid"] for m in after["migrations"]] == [older[0]["uuid"]]

    recent = checked(_get(admin, "/os-migrations?changes-since="
                                 f"{since.isoformat()}Z"), MIGRATIONS)
    assert [m["uuid"] for m in recent["migrations"]] == [
        r["uuid"] for r in reversed(newer)]
    later = (_now() + datetime.timedelta(hours=1)).isoformat()
    assert checked(_get(admin, f"/os-migrations?changes-since={later}"),
                   MIGRATIONS)["migrations"] == []

    # The server's own moves in progress carry their uuid too.
    base = f"/servers/{sid}/migrations"
    shown = checked(_get(admin, f"{base}/{newer[0]['id']}"),
                    _object({"migration": SERVER_MIGRATION}))
    assert shown["migration"]["uuid"] == newer[0]["uuid"]
    in_progress = checked(_get(admin, base), _object({"migrations": {
        "type": "array", "items": SERVER_MIGRATION}}))
    # (a "finished" resize waits for its confirmation: in progress)
    assert [m["uuid"] for m in in_progress["migrations"]] == [
        newer[0]["uuid"], older[2]["uuid"]]

    # Below 2.59: no uuid, no paging, and 2.1's other filters.
    old = checked(_get(admin, "/os-migrations?limit=1&dest_compute=other",
                       "2.53"), MIGRATIONS_OLD)
    assert [m["id"] for m in old["migrations"]] == [newer[1]["id"]]
    assert "uuid" not in _get(admin, f"{base}/{newer[0]['id']}",
                              "2.53").json()["migration"]


def test_bad_migration_queries_are_novas_400(cloud):
    admin = cloud.sdk()
    for marker in (str(uuid.uuid4()), "not-a-uuid", "7"):
        resp = _get(admin, f"/os-migrations?marker={marker}")
        assert resp.status_code == 400, resp.text
        assert resp.json() == {"badRequest": {
            "code": 400,
            "message": f"Marker {marker} could not be found."}}
    for query in ("limit=-1", "limit=x", "limit=1&limit=2",
                  "changes-since=yesterday", "dest_compute=fake-2",
                  "node=fake-1", "changes-before=2026-01-01",
                  "user_id=u", "sort_dir=asc"):
        resp = _get(admin, f"/os-migrations?{query}")
        assert resp.status_code == 400, (query, resp.text)
        assert resp.json()["badRequest"]["message"].startswith(
            "Invalid input for query parameters"), query
    # Policy still decides for members, whatever the query.
    resp = _get(cloud.sdk("member"), "/os-migrations?limit=1")
    assert resp.status_code == 403, resp.text


def test_stock_clients_page_migrations(cloud):
    sid = cloud.sdk("member").compute.create_server(
        name="m59-cli", flavor_id="1", image_id=IMAGE, networks="auto").id
    rows = [_record(sid, s) for s in ("confirmed", "error")]
    since = _now().isoformat()
    rows += [_record(sid, "finished"), _record(sid, "confirmed")]
    expected = [r["uuid"] for r in reversed(rows)]
    osc = ("--os-compute-api-version", V259, "server", "migration", "list")
    listed = osc_json(cloud, "admin", *osc)
    assert [r["UUID"] for r in listed] == expected
    first = osc_json(cloud, "admin", *osc, "--limit", "2")
    assert [r["UUID"] for r in first] == expected[:2]
    rest = osc_json(cloud, "admin", *osc, "--marker", expected[1])
    assert [r["UUID"] for r in rest] == expected[2:]
    recent = osc_json(cloud, "admin", *osc, "--changes-since", since)
    assert [r["UUID"] for r in recent] == expected[:2]
    bad = cloud.openstack("admin", *osc, "--marker", str(uuid.uuid4()),
                          check=False)
    assert bad.returncode != 0 and "could not be found" in bad.stderr

    nova = _novaclient(cloud, V259)
    page = nova.migrations.list(limit=3)
    assert [m.uuid for m in page] == expected[:3]
    page = nova.migrations.list(marker=expected[0], changes_since=since)
    assert [m.uuid for m in page] == expected[1:2]

    conn = cloud.sdk()
    conn.compute.default_microversion = V259
    found = list(conn.compute.migrations(limit=1))
    assert [m.uuid for m in found] == expected
