"""``/os-migrations`` and a server's in-progress live migrations
(``/servers/{server_id}/migrations``, 2.23).

2.23 adds ``migration_type`` (and ``links`` for live migrations in
progress) to ``/os-migrations``; 2.59 adds ``uuid`` and pages the list;
2.80 adds ``project_id`` and ``user_id`` (of whoever started the move).
"""

from nimbus.api.openstack.responses import types as t

M = "/servers/{server_id}/migrations"

_COMMON = {
    "id": t.INTEGER, "status": t.STRING, "created_at": t.DATE_TIME,
    "source_compute": t.NULLABLE_STRING, "source_node": t.NULLABLE_STRING,
    "dest_compute": t.NULLABLE_STRING, "dest_host": t.NULLABLE_STRING,
    "dest_node": t.NULLABLE_STRING,
}
_MIGRATION = t.obj(dict(_COMMON, **{
    "instance_uuid": t.STRING, "updated_at": t.NULLABLE_DATE_TIME,
    "new_instance_type_id": {"type": ["integer", "null"]},
    "old_instance_type_id": {"type": ["integer", "null"]}}),
    required=list(_COMMON) + ["instance_uuid", "updated_at",
                              "new_instance_type_id",
                              "old_instance_type_id"])
_BYTES = {"type": ["integer", "null"]}
_PROGRESS = ("disk_processed_bytes", "disk_remaining_bytes",
             "disk_total_bytes", "memory_processed_bytes",
             "memory_remaining_bytes", "memory_total_bytes")
# ``updated_at`` is null until the record is first saved again (so in
# Nova too, whose reference types it as a time).
_LIVE = t.obj(dict(_COMMON, server_uuid=t.STRING,
                   updated_at=t.NULLABLE_DATE_TIME,
                   **dict.fromkeys(_PROGRESS, _BYTES)),
              required=list(_COMMON) + ["server_uuid", "updated_at",
                                        *_PROGRESS])
_UUID = {"uuid": t.STRING}
_OWNER = {"user_id": t.NULLABLE_STRING, "project_id": t.NULLABLE_STRING}


def _index(minor):
    migration = _MIGRATION
    properties = {}
    if minor >= 23:
        migration = t.evolve(migration, add={
            "migration_type": {"enum": ["migration", "resize",
                                        "live-migration", "evacuation"]},
            "links": t.LINKS}, require=["migration_type"])
    if minor >= 59:
        migration = t.evolve(migration, add=_UUID, require=["uuid"])
        properties["migrations_links"] = t.COLLECTION_LINKS
    if minor >= 80:
        migration = t.evolve(migration, add=_OWNER, require=list(_OWNER))
    properties["migrations"] = t.array(migration)
    return t.obj(properties, required=("migrations",))


def _live(minor):
    live = _LIVE
    if minor >= 59:
        live = t.evolve(live, add=_UUID, require=["uuid"])
    if minor >= 80:
        live = t.evolve(live, add=_OWNER, require=list(_OWNER))
    return live


def _live_list(minor):
    return t.obj({"migrations": t.array(_live(minor))},
                 required=("migrations",))


def _live_show(minor):
    return t.obj({"migration": _live(minor)}, required=("migration",))


SCHEMAS = {
    ("GET", "/os-migrations"): [(1, 22, _index(1)), (23, 58, _index(23)),
                                (59, 79, _index(59)),
                                (80, None, _index(80))],
    ("GET", M): [(23, 58, _live_list(23)), (59, 79, _live_list(59)),
                 (80, None, _live_list(80))],
    ("GET", M + "/{migration_id}"): [
        (23, 58, _live_show(23)), (59, 79, _live_show(59)),
        (80, None, _live_show(80))],
}
