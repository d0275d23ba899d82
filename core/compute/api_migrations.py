"""Compute API: reading the records of move workflows (os-migrations,
``servers/{id}/migrations``)."""

from oslo_utils import timeutils, uuidutils

from nimbus.core import exception
from nimbus.core.objects import migration as migration_obj

#: the query parameters of ``os-migrations`` and the filters they become.
_LIST_FILTERS = ("instance_uuid", "status", "migration_type",
                 "source_compute", "dest_compute", "host", "node",
                 "user_id", "project_id")


class MigrationReadMixin:
    """Reads of migration records (mixed into ComputeAPI)."""

    def list_migrations(self, context, filters=None, limit=None,
                        marker=None):
        """Return migrations, newest first; hidden ones never.

        :param filters: any of ``instance_uuid``, ``status``,
            ``migration_type``, ``source_compute``, ``dest_compute``,
            ``host``, ``node``, ``user_id``, ``project_id`` (strings),
            ``changes_since``/``changes_before`` (ISO 8601 strings).
        :param marker: a migration uuid (the previous page's last).
        :raises Invalid: a malformed time, or an unknown marker.
        """
        filters = dict(filters or {})
        query = {key: filters[key] for key in _LIST_FILTERS
                 if filters.get(key) is not None}
        for key in ("changes_since", "changes_before"):
            if filters.get(key):
                query[key] = _time(key, filters[key])
        query["hidden"] = False
        if marker is not None and not uuidutils.is_uuid_like(marker):
            raise exception.Invalid(
                message=f"Marker {marker} could not be found.")
        return migration_obj.MigrationList.get_by_filters(
            context, query, limit=limit, marker=marker)

    def server_migrations(self, context, uuid, migration_type=None):
        """Return the server's moves in progress, newest first."""
        self.get(context, uuid)
        return migration_obj.MigrationList.get_in_progress_by_instance(
            context, uuid, migration_type=migration_type)

    def server_migration(self, context, uuid, migration_id):
        """Return one migration of the server (by id or uuid).

        :raises MigrationNotFound: not this server's, or no such one.
        """
        self.get(context, uuid)
        try:
            if str(migration_id).isascii() and str(migration_id).isdigit():
                migration = migration_obj.Migration.get_by_id(
                    context, int(migration_id))
            elif uuidutils.is_uuid_like(migration_id):
                migration = migration_obj.Migration.get_by_uuid(
                    context, migration_id)
            else:
                raise exception.MigrationNotFound(
                    migration_id=migration_id)
        except exception.MigrationNotFound:
            raise exception.MigrationNotFound(migration_id=migration_id)
        if migration.instance_uuid != uuid:
            raise exception.MigrationNotFound(migration_id=migration_id)
        return migration


def _time(name, value):
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except (ValueError, OverflowError):
        raise exception.InvalidInput(
            reason=f"{name} is not an ISO 8601 time: {value}")
