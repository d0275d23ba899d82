"""``os-migrateLive`` (POST /servers/{id}/action) with its bodies per
microversion, and the control of a running live migration
(``DELETE /servers/{id}/migrations/{id}``: abort, 2.24;
``POST .../migrations/{id}/action`` ``force_complete``, 2.22)."""

import pecan

from nimbus.api import http
from nimbus.api.openstack import common

RULE = "os_compute_api:os-migrate-server:migrate_live"
ABORT_RULE = "os_compute_api:servers:migrations:delete"
FORCE_RULE = "os_compute_api:servers:migrations:force_complete"

_BOOLEAN = {"type": ["boolean", "string"],
            "enum": [True, False, "True", "False", "true", "false", "1",
                     "0", "yes", "no", "on", "off"]}
_HOST = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}

#: 2.1-2.24: block_migration and disk_over_commit (ignored: nimbus
#: claims through the scheduler and never over-commits).
_V21 = {"type": "object",
        "properties": {"block_migration": _BOOLEAN,
                       "disk_over_commit": _BOOLEAN, "host": _HOST},
        "required": ["block_migration", "disk_over_commit", "host"],
        "additionalProperties": False}
#: 2.25: block_migration may be "auto"; no disk_over_commit.
_V225 = {"type": "object",
         "properties": {"block_migration": {
             "type": ["boolean", "string"],
             "enum": _BOOLEAN["enum"] + ["auto"]}, "host": _HOST},
         "required": ["block_migration", "host"],
         "additionalProperties": False}
#: 2.30: force (the asked host is still claimed through the scheduler:
#: nimbus never over-commits a host, forced or not).
_V230 = dict(_V225, properties=dict(_V225["properties"],
                                    force={"type": "boolean"}))
#: 2.68: ``force`` is gone again (2.25's body; a 400 when given).
_V268 = _V225


def _bool(value):
    if value == "auto":
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def migrate_live(ctx, compute, instance, args):
    """Handle ``{"os-migrateLive": args}`` for ``instance`` (the caller
    authorized :data:`RULE`)."""
    schema = _V268 if common.at_least(68) else \
        _V230 if common.at_least(30) else \
        _V225 if common.at_least(25) else _V21
    http.validate(args, schema)
    # 2.34: whether the host is up and another than the server's own is
    # checked after the 202, in conductor (Nova's asynchronous checks).
    compute.live_migrate(ctx, instance.uuid,
                         block_migration=_bool(args["block_migration"]),
                         host=args.get("host"),
                         checks_in_conductor=common.at_least(34))


class MigrationActionController:
    """POST /servers/{id}/migrations/{mid}/action (force_complete)."""

    def __init__(self, server_id, migration_id):
        self.server_id = server_id
        self.migration_id = migration_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("POST")

    @index.when(method="POST", template="json")
    def post(self):
        if not common.at_least(22):
            pecan.abort(404)
        http.validate(http.read_json(pecan.request), {
            "type": "object", "properties": {"force_complete": {
                "type": "null"}},
            "required": ["force_complete"], "additionalProperties": False})
        from nimbus.api.openstack.controllers import servers
        servers.get_authorized(self.server_id, FORCE_RULE)
        common.services().compute.live_migration_force_complete(
            common.context(), self.server_id, self.migration_id)
        return common.reply(None, 202)


class MigrationAbortController:
    """DELETE /servers/{id}/migrations/{mid}: abort (2.24; one not
    running yet, ``queued`` or ``preparing``, from 2.65)."""

    def __init__(self, server_id, migration_id):
        self.server_id = server_id
        self.migration_id = migration_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("DELETE")

    @index.when(method="DELETE", template="json")
    def delete(self):
        if not common.at_least(24):
            common.allow("GET")
        from nimbus.api.openstack.controllers import servers
        servers.get_authorized(self.server_id, ABORT_RULE)
        common.services().compute.live_migration_abort(
            common.context(), self.server_id, self.migration_id,
            before_running=common.at_least(65))
        return common.reply(None, 202)
