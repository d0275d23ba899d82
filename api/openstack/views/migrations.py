"""Views of migration records, shaped by the request's microversion."""

from nimbus.api.openstack import common


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def _common(migration):
    return {"id": migration.id,
            "source_node": migration.source_node,
            "dest_node": migration.dest_node,
            "source_compute": migration.source_compute,
            "dest_compute": migration.dest_compute,
            "dest_host": migration.dest_host,
            "status": migration.status,
            "created_at": _time(migration.created_at),
            "updated_at": _time(migration.updated_at)}


def _versioned(body, migration):
    if common.at_least(59):
        body["uuid"] = migration.uuid
    if common.at_least(80):
        body["user_id"] = migration.user_id
        body["project_id"] = migration.project_id
    return body


def os_migration(migration):
    """An ``os-migrations`` entry."""
    body = _common(migration)
    body.update(instance_uuid=migration.instance_uuid,
                old_instance_type_id=migration.old_instance_type_id,
                new_instance_type_id=migration.new_instance_type_id)
    if common.at_least(23):
        body["migration_type"] = migration.migration_type
        if migration.migration_type == "live-migration" and \
                migration.in_progress:
            body["links"] = common.link(
                f"servers/{migration.instance_uuid}/migrations",
                migration.id)
    return _versioned(body, migration)


def server_migration(migration):
    """A ``servers/{id}/migrations`` entry (with progress)."""
    body = _common(migration)
    body["server_uuid"] = migration.instance_uuid
    # Nova's names (what openstacksdk's ServerMigration reads) carry
    # their unit; the record's columns do not.
    for name in ("memory_total", "memory_processed", "memory_remaining",
                 "disk_total", "disk_processed", "disk_remaining"):
        body[f"{name}_bytes"] = getattr(migration, name)
    return _versioned(body, migration)
