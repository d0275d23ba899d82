"""/os-migrations and /servers/{id}/migrations[/{migration_id}]."""

import pecan

from nimbus.api.openstack import common, schemas_paging
from nimbus.api.openstack.controllers import server_live
from nimbus.api.openstack.views import migrations as view

# query parameter -> filter of ComputeAPI.list_migrations (2.1).
_QUERY = {"instance_uuid": "instance_uuid", "status": "status",
          "host": "host", "node": "node", "source_compute":
          "source_compute", "dest_compute": "dest_compute"}


def _filters():
    params = pecan.request.GET
    filters = {ours: params[theirs] for theirs, ours in _QUERY.items()
               if params.get(theirs)}
    if common.at_least(23) and params.get("migration_type"):
        filters["migration_type"] = params["migration_type"]
    if common.at_least(59) and params.get("changes-since"):
        filters["changes_since"] = params["changes-since"]
    if common.at_least(66) and params.get("changes-before"):
        filters["changes_before"] = params["changes-before"]
    if common.at_least(80):
        for name in ("user_id", "project_id"):
            if params.get(name):
                filters[name] = params[name]
    return filters


class MigrationsController:
    """/os-migrations (administrators)."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        paged = common.at_least(59)
        if paged:
            # 2.59: unknown, repeated or malformed parameters are a 400;
            # 2.66: so is a changes-before earlier than changes-since.
            before = common.at_least(66)
            schema = schemas_paging.MIGRATIONS_QUERY_V259
            if common.at_least(80):
                schema = schemas_paging.MIGRATIONS_QUERY_V280
            elif before:
                schema = schemas_paging.MIGRATIONS_QUERY_V266
            common.changes_window(common.query(schema), before)
        common.authorize("os_compute_api:os-migrations:index")
        limit = common.limit_param() if paged else None
        marker = pecan.request.GET.get("marker") if paged else None
        migrations = common.services().compute.list_migrations(
            common.context(), _filters(), limit=limit, marker=marker)
        body = {"migrations": [view.os_migration(m) for m in migrations]}
        links = common.next_link("os-migrations", body["migrations"],
                                 limit, id_key="uuid") if paged else None
        if links:
            body["migrations_links"] = links
        return common.reply(body)


class ServerMigrationsController:
    """/servers/{id}/migrations: moves in progress (served at every
    microversion; Nova from 2.23). Show finds any move of the server,
    ended ones too, so a client can follow a resize to its end."""

    def __init__(self, server_id):
        self.server_id = server_id

    def _authorize(self, action):
        from nimbus.api.openstack.controllers import servers
        return servers.get_authorized(
            self.server_id, f"os_compute_api:servers:migrations:{action}")

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        self._authorize("index")
        migrations = common.services().compute.server_migrations(
            common.context(), self.server_id)
        return common.reply({"migrations": [
            view.server_migration(m) for m in migrations]})

    @pecan.expose("json")
    def _lookup(self, migration_id, *remainder):
        if remainder == ("action",):
            return server_live.MigrationActionController(
                self.server_id, migration_id), ()
        if remainder:
            pecan.abort(404)
        if pecan.request.method == "DELETE":
            return server_live.MigrationAbortController(
                self.server_id, migration_id), ()
        common.allow("GET")
        self._authorize("show")
        migration = common.services().compute.server_migration(
            common.context(), self.server_id, migration_id)
        return common.Fixed(
            {"migration": view.server_migration(migration)}), ()
