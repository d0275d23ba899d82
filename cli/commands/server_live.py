"""``nimbus server migrate --live-migration`` (started by
:class:`~nimbus.cli.commands.server_move.MigrateServer`, as in the
openstack client) and ``nimbus server migration abort`` / ``force
complete``: the control of a running live migration."""

import time

from nimbus.cli import errors, progress, rest
from nimbus.cli.commands import base

#: os-migrateLive with ``block_migration: "auto"`` and no
#: ``disk_over_commit``.
LIVE_VERSION = "2.25"
#: DELETE /servers/{id}/migrations/{id} (abort).
ABORT_VERSION = "2.24"
#: POST /servers/{id}/migrations/{id}/action force_complete.
FORCE_VERSION = "2.22"


def add_options(parser):
    """The live-migration options of ``server migrate``."""
    parser.add_argument("--live-migration", action="store_true",
                        help="move the running server without stopping "
                             "it (the scheduler picks the host unless "
                             "--host names one)")
    disk = parser.add_mutually_exclusive_group()
    disk.add_argument("--block-migration", dest="block_migration",
                      action="store_const", const=True,
                      help="copy the disks (the hosts share no storage)")
    disk.add_argument("--shared-migration", dest="block_migration",
                      action="store_const", const=False,
                      help="the hosts share the disks' storage: copy "
                           "memory only")
    parser.set_defaults(block_migration=None)


def live_migrate(cmd, args):
    """Start the live migration; with ``--wait``, follow it to its end."""
    conn = cmd.app.connection
    server = rest.get(conn, "/servers/" + rest.server(
        conn, args.server, all_projects=True)["id"])["server"]
    block = "auto" if args.block_migration is None else args.block_migration
    rest.call(conn, "POST", f"/servers/{server['id']}/action",
              {"os-migrateLive": {"block_migration": block,
                                  "host": args.host}},
              version=LIVE_VERSION)
    if args.wait:
        _wait(cmd, conn, server, args)


def _latest(conn, server_id):
    """The server's newest live migration (None: none yet)."""
    live = rest.call(conn, "GET", f"/os-migrations?instance_uuid={server_id}"
                                  "&migration_type=live-migration",
                     version="2.23")["migrations"]
    return max(live, key=lambda m: m["id"]) if live else None


def _bytes(migration, name):
    return migration.get(f"{name}_bytes") or 0


def _done(conn, server_id):
    """Share of the guest copied so far (None: not known yet)."""
    running = rest.call(conn, "GET", f"/servers/{server_id}/migrations",
                        version="2.23")["migrations"]
    for m in running:
        total = _bytes(m, "memory_total") + _bytes(m, "disk_total")
        if total:
            return (_bytes(m, "memory_processed") +
                    _bytes(m, "disk_processed")) / total
    return None


def _wait(cmd, conn, before, args):
    """Wait until the server runs on another host (success) or the move
    ended otherwise: a CommandError naming the migration's status."""
    bar = progress.Bar(cmd.app.stderr, "live_migration")
    server_id, source = before["id"], before["OS-EXT-SRV-ATTR:host"]
    deadline = time.monotonic() + args.timeout
    while True:
        server = rest.get(conn, f"/servers/{server_id}")["server"]
        status = server["status"]
        task = server.get("OS-EXT-STS:task_state")
        if status != "MIGRATING" and not task:
            break
        bar.update(status, task, done=_done(conn, server_id))
        if time.monotonic() > deadline:
            cmd.app.stderr.write("\n" if bar.tty else "")
            raise errors.CommandError(
                f"Timed out after {args.timeout} s waiting for the live "
                f"migration of server {server_id}")
        time.sleep(0.5)
    host = server.get("OS-EXT-SRV-ATTR:host")
    if status == before["status"] and host != source:
        bar.update(status, None, finished=True)
        return
    bar.update(status, None)
    cmd.app.stderr.write("\n" if bar.tty else "")
    migration = _latest(conn, server_id)
    what = (f"migration {migration['id']} is {migration['status']}"
            if migration else "no migration record")
    raise errors.CommandError(
        f"Live migration of server {server_id} failed ({what}); it is "
        f"{status} on {host} (see 'nimbus server event list {server_id}')")


class _ControlMigration(base.Command):
    """Act on a running live migration of a server."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        parser.add_argument("migration", help="migration ID or UUID")
        return parser

    def request(self, conn, path):
        raise NotImplementedError

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server, all_projects=True)
        self.request(conn, f"/servers/{server['id']}/migrations/"
                           f"{args.migration}")


class AbortMigration(_ControlMigration):
    """Abort a running live migration (the server stays where it is)."""

    def request(self, conn, path):
        rest.call(conn, "DELETE", path, version=ABORT_VERSION)


class ForceCompleteMigration(_ControlMigration):
    """Finish a running live migration now (the guest pauses for the
    last copy)."""

    def request(self, conn, path):
        rest.call(conn, "POST", path + "/action", {"force_complete": None},
                  version=FORCE_VERSION)
