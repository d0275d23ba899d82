"""Metadata of volumes and snapshots: what the Block Storage dialect's
``metadata`` subresources call (Cinder's volume and snapshot metadata).

Keys are strings of 1 to 255 characters, values strings of at most 255,
at most :data:`MAX_ITEMS` items per record; anything else is
:class:`~nimbus.core.exception.InvalidInput` (400) and nothing is
written. Every change is one locked read-modify-write in the database,
so concurrent changes of different keys are all kept. A caller who is
not an administrator reaches its own project's records only (others'
are "not found"); policy is the dialect's job.
"""

import json

from oslo_utils import uuidutils

from nimbus.core import exception

#: the most items a record's metadata may hold.
MAX_ITEMS = 128
_LEN = 255
KINDS = ("volume", "snapshot")


def check(metadata):
    """Validate a metadata dict.

    :raises InvalidInput:
    """
    if not isinstance(metadata, dict):
        raise exception.InvalidInput(reason="Metadata must be an object.")
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or len(key) > _LEN:
            raise exception.InvalidInput(
                reason=f"Metadata property key {key!r} must be a string "
                       f"of 1 to {_LEN} characters.")
        if not isinstance(value, str) or len(value) > _LEN:
            raise exception.InvalidInput(
                reason=f"Metadata property value of {key!r} must be a "
                       f"string of at most {_LEN} characters.")
    return dict(metadata)


class MetadataAPI:
    """:param db: the database API handed in by the daemon."""

    def __init__(self, db):
        self.db = db

    def _check_id(self, kind, ident):
        if kind not in KINDS:
            raise ValueError(kind)
        if not uuidutils.is_uuid_like(ident):
            if kind == "volume":
                raise exception.VolumeNotFound(volume_id=ident)
            raise exception.SnapshotNotFound(snapshot_id=ident)

    def _change(self, context, kind, ident, **change):
        self._check_id(kind, ident)
        return self.db.volumes.change_metadata(
            context, kind, ident,
            project_id=None if context.is_admin else context.project_id,
            max_items=MAX_ITEMS, **change)

    def get(self, context, kind, ident):
        """The metadata dict of a volume or snapshot."""
        self._check_id(kind, ident)
        scope = None if context.is_admin else context.project_id
        if kind == "volume":
            row = self.db.volumes.get_volume(context, ident, scope)
        else:
            row = self.db.volumes.get_snapshot(context, ident, scope)
        return json.loads(row["metadata_json"] or "{}")

    def update(self, context, kind, ident, metadata, replace=False):
        """Add or change keys (``replace``: the new whole dict); return
        the record's metadata.

        :raises InvalidInput: bad keys or values, or more than
            :data:`MAX_ITEMS` items would result (nothing is written).
        """
        metadata = check(metadata)
        if replace:
            return self._change(context, kind, ident, replace=metadata)
        return self._change(context, kind, ident, merge=metadata)

    def delete(self, context, kind, ident, key):
        """:raises MetadataKeyNotFound:"""
        self._change(context, kind, ident, remove=key)
