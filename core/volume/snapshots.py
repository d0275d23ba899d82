"""Snapshots in the volume API: reads, and the create, update and delete
actions (each checked, recorded and cast to the volume's host like the
volume actions of :class:`~nimbus.core.volume.api.VolumeAPI`)."""

import json

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.volume import checks, views
from nimbus.core.volume import statuses as st


class SnapshotActions:
    """The snapshot part of :class:`~nimbus.core.volume.api.VolumeAPI`.

    Needs of its host class: ``db`` (the database API), ``rpc`` (the
    volume rpcapi), ``quotas``, ``scheduler``, ``_scope(context)`` and
    ``_volume_row(context, volume_id)``.
    """

    def _snapshot_row(self, context, snapshot_id):
        if not uuidutils.is_uuid_like(snapshot_id):
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return self.db.volumes.get_snapshot(context, snapshot_id,
                                            self._scope(context))

    def get_snapshot(self, context, snapshot_id):
        return views.snapshot(self._snapshot_row(context, snapshot_id))

    def list_snapshots(self, context, filters=None, all_projects=False):
        """Snapshots of the caller's project (filters: ``name``,
        ``status``, ``volume_id``)."""
        filters = dict(filters or {})
        db_filters = {k: filters[k] for k in ("name", "status", "volume_id")
                      if filters.get(k) is not None}
        if not (context.is_admin and all_projects):
            db_filters["project_id"] = context.project_id
        return [views.snapshot(r) for r in
                self.db.volumes.get_snapshots(context, db_filters)]

    def create_snapshot(self, context, volume_id, name=None,
                        description=None, force=False, metadata=None):
        """Record a snapshot (``creating``) of an ``available`` volume (or
        an ``in-use`` one with ``force``) and cast its creation.

        :raises VolumeInvalidState: the volume's status does not allow it.
        :raises UnsupportedOperation: the backend has no snapshots.
        :raises OverQuota: snapshots or gigabytes.
        """
        row = self._volume_row(context, volume_id)
        checks.check_text(name, description)
        metadata = checks.check_metadata(metadata)
        allowed = (st.AVAILABLE, st.IN_USE) if force else (st.AVAILABLE,)
        if row["status"] not in allowed:
            raise exception.VolumeInvalidState(
                action="snapshot", volume_id=row["id"], status=row["status"],
                expected=" or ".join(allowed))
        self.scheduler.check_host(context, row["host"], "snapshots")
        deltas = {"snapshots": 1, "gigabytes": row["size"]}
        self.quotas.check(context, context.project_id, deltas)
        snapshot = self.db.volumes.create_snapshot(context, {
            "id": uuidutils.generate_uuid(), "volume_id": row["id"],
            "project_id": context.project_id, "user_id": context.user_id,
            "volume_size": row["size"], "status": st.CREATING,
            "progress": "0%", "display_name": name,
            "display_description": description,
            "metadata_json": json.dumps(metadata)}, volume_status=allowed)
        try:
            self.quotas.check(context, context.project_id, deltas,
                              already_added=True)
        except exception.OverQuota:
            self.db.volumes.destroy_snapshot(context, snapshot["id"])
            raise
        self.rpc.create_snapshot(context, row["host"], snapshot["id"])
        return views.snapshot(snapshot)

    def update_snapshot(self, context, snapshot_id, **changes):
        """Change ``name``, ``description`` or ``metadata``."""
        row = self._snapshot_row(context, snapshot_id)
        values = checks.changes(changes, ("name", "description", "metadata"))
        if values:
            row = self.db.volumes.update_snapshot(context, row["id"],
                                                  values)
        return views.snapshot(row)

    def delete_snapshot(self, context, snapshot_id):
        """Start deleting a snapshot (``available`` or ``error``).

        :raises SnapshotInvalidState:
        """
        row = self._snapshot_row(context, snapshot_id)
        volume = self.db.volumes.get_volume(context, row["volume_id"])
        self.db.volumes.update_snapshot(
            context, row["id"], {"status": st.DELETING},
            expected_status=(st.AVAILABLE, st.ERROR, st.ERROR_DELETING),
            action="delete")
        self.rpc.delete_snapshot(context, volume["host"], row["id"])
