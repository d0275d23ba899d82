"""Migration 0024: block device mappings get a uuid, and volumes attached
after their server's create (which had no mapping) get one, untagged and
not deleted with the server."""

import datetime

import sqlalchemy as sa


def test_attached_volumes_get_their_mapping(nimbus_conf):
    from nimbus.core.db import engine, migration
    from nimbus.core.db import setup as db_setup
    db_setup.use_database(nimbus_conf)
    migration.sync("0023")
    now = datetime.datetime(2026, 1, 1)
    with engine.get_engine().begin() as conn:
        for vid in ("v-boot", "v-later", "v-gone"):
            conn.execute(sa.text(
                "INSERT INTO volumes (id, project_id, user_id, size, "
                "status, bootable, deleted, created_at, multiattach, "
                "metadata_json, image_metadata_json) VALUES "
                "(:id, 'p', 'u', 1, 'in-use', 0, 0, :now, 0, '{}', "
                "'{}')"), {"id": vid, "now": now})
        conn.execute(sa.text(
            "INSERT INTO block_device_mappings (instance_uuid, volume_id, "
            "source_type, boot_index, delete_on_termination, device_name, "
            "created_at) VALUES ('i-1', 'v-boot', 'blank', NULL, 1, "
            "'/dev/vdb', :now)"), {"now": now})
        for aid, vid, status, deleted in (
                ("a-1", "v-boot", "attached", 0),
                ("a-2", "v-later", "attached", 0),
                ("a-3", "v-gone", "detached", 1)):
            conn.execute(sa.text(
                "INSERT INTO volume_attachments (id, volume_id, "
                "instance_uuid, mountpoint, attach_status, deleted, "
                "created_at) VALUES (:id, :vid, 'i-1', '/dev/vdc', "
                ":status, :deleted, :now)"),
                {"id": aid, "vid": vid, "status": status,
                 "deleted": deleted, "now": now})
    migration.sync()
    with engine.get_engine().connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT volume_id, source_type, delete_on_termination, "
            "device_name, tag, uuid FROM block_device_mappings "
            "ORDER BY id")).fetchall()
    assert [tuple(r[:5]) for r in rows] == [
        ("v-boot", "blank", 1, "/dev/vdb", None),
        ("v-later", "volume", 0, "/dev/vdc", None)]
    assert all(len(r[5]) == 36 for r in rows)
    assert rows[0][5] != rows[1][5]
