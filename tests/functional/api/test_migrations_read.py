"""os-migrations and /servers/{id}/migrations through the stock clients
(records written straight into the database: the workflows that make
them are tested on their own)."""

import json

from oslo_utils import timeutils, uuidutils

from nimbus.core import context
from nimbus.core.db import api as db

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _record(instance_uuid, status, migration_type="resize", **values):
    row = {"uuid": uuidutils.generate_uuid(), "instance_uuid": instance_uuid,
           "source_compute": "fake-1", "source_node": "fake-1",
           "dest_compute": "fake-2", "dest_node": "fake-2",
           "status": status, "migration_type": migration_type,
           "hidden": False, "old_instance_type_id": 1,
           "new_instance_type_id": 2, "deleted": 0,
           # a move's record is saved at each step after its creation
           # (Nova's reference shows a server migration's updated_at
           # as a time, never null)
           "updated_at": timeutils.utcnow()}
    row.update(values)
    return db.migrations.create(context.get_admin_context(), row)


def test_migration_lists_through_the_openstack_client(cloud):
    server = cloud.sdk("member").compute.create_server(
        name="m", flavor_id="1", image_id=IMAGE, networks="auto")
    _record(server.id, "confirmed")
    _record(server.id, "migrating")
    _record(server.id, "error", hidden=True)
    _record(uuidutils.generate_uuid(), "finished", source_compute="x",
            dest_compute="y")
    out = json.loads(cloud.openstack(
        "admin", "server", "migration", "list", "--server", server.id,
        "-f", "json").stdout)
    assert sorted(m["Status"] for m in out) == ["confirmed", "migrating"]
    assert {m["Dest Compute"] for m in out} == {"fake-2"}
    by_host = json.loads(cloud.openstack(
        "admin", "server", "migration", "list", "--host", "fake-2",
        "--status", "migrating", "-f", "json").stdout)
    assert [m["Status"] for m in by_host] == ["migrating"]
    # Not for project members.
    denied = cloud.openstack("member", "server", "migration", "list",
                             check=False)
    assert denied.returncode != 0 and "403" in denied.stderr


def test_server_migrations_show_this_servers_moves_only(cloud):
    admin = cloud.sdk("admin")
    server = cloud.sdk("member").compute.create_server(
        name="m", flavor_id="1", image_id=IMAGE, networks="auto")
    mine = _record(server.id, "migrating", memory_total=10)
    _record(server.id, "confirmed")
    theirs = _record(uuidutils.generate_uuid(), "migrating")
    base = f"/servers/{server.id}/migrations"
    resp = admin.compute.get(base)
    assert resp.status_code == 200, resp.text
    listed = resp.json()["migrations"]
    assert [m["id"] for m in listed] == [mine["id"]]
    assert listed[0]["server_uuid"] == server.id
    assert listed[0]["memory_total_bytes"] == 10
    # openstacksdk reads the progress under Nova's names
    (sdk_view,) = admin.compute.server_migrations(server.id)
    assert sdk_view.memory_total_bytes == 10
    shown = admin.compute.get(f"{base}/{mine['id']}").json()["migration"]
    assert shown["status"] == "migrating"
    for bad in (theirs["id"], 999999, "not-an-id"):
        resp = admin.compute.get(f"{base}/{bad}")
        assert resp.status_code == 404, resp.text
        assert "itemNotFound" in resp.text
    resp = admin.compute.get("/os-migrations?changes-since=yesterday",
                             headers={"OpenStack-API-Version":
                                      "compute 2.1"})
    assert resp.status_code == 200   # ignored below 2.59
