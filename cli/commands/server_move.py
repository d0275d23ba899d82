"""``nimbus server resize/migrate`` (with ``confirm``/``revert``) and
``nimbus server migration list/show``: moves and their records (live
ones in :mod:`nimbus.cli.commands.server_live`)."""

import time

from nimbus.cli import errors, progress, rest
from nimbus.cli.commands import base, server_live
from nimbus.cli.commands import server as server_cmd

_MOVING = ("RESIZE", "REVERT_RESIZE", "MIGRATING")
_MIGRATION_COLUMNS = ("ID", "Server", "Type", "Status", "Source Host",
                      "Dest Host", "Old Flavor", "New Flavor", "Updated")


def _wait_move(cmd, conn, server_id, expected, args):
    """Wait until the move ends; fail when it did not end in
    ``expected`` (a failed move goes back to ACTIVE or SHUTOFF)."""
    bar = progress.Bar(cmd.app.stderr, cmd.operation)
    deadline = time.monotonic() + args.timeout
    while True:
        server = rest.get(conn, f"/servers/{server_id}")["server"]
        status = server["status"]
        task = server.get("OS-EXT-STS:task_state")
        if status not in cmd.moving and not task:
            bar.update(status, None, finished=True)
            break
        bar.update(status, task)
        if time.monotonic() > deadline:
            raise errors.CommandError(
                f"Timed out after {args.timeout} s waiting for server "
                f"{server_id} to be {expected}")
        time.sleep(0.5)
    if status != expected:
        raise errors.CommandError(
            f"Server {server_id} is {status}, not {expected}: the move "
            f"failed (see 'nimbus server event list {server_id}')")


class _Move(server_cmd._OneServer, base.Command):
    """A cold-move action; ``--wait`` follows it to its end."""

    action = None
    expected = None
    operation = "move"
    #: statuses --wait waits through.
    moving = _MOVING
    version = rest.MICROVERSION

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        server_cmd._add_wait(parser)
        return parser

    def body(self, args):
        return {self.action: None}

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        rest.call(conn, "POST", f"/servers/{server['id']}/action",
                  self.body(args), version=self.version)
        if args.wait:
            _wait_move(self, conn, server["id"], self.expected, args)


class ResizeServer(_Move):
    """Resize a server to another flavor (then confirm or revert)."""

    action, expected = "resize", "VERIFY_RESIZE"

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--flavor", required=True,
                            help="the new flavor (name or ID)")
        return parser

    def body(self, args):
        flavor = rest.find(self.app.connection, "flavor", args.flavor,
                           "/flavors/detail", "flavors")
        return {"resize": {"flavorRef": flavor["id"]}}


class ConfirmResize(_Move):
    """Keep a resized or migrated server where it is now."""

    action, expected = "confirmResize", None
    # A confirm shows no task state: wait until the server leaves
    # VERIFY_RESIZE (a failed confirm stays there, with a fault event).
    moving = _MOVING + ("VERIFY_RESIZE",)

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        before = rest.get(conn, f"/servers/{server['id']}")["server"]
        self.expected = "SHUTOFF" if before.get(
            "OS-EXT-STS:power_state") == 4 else "ACTIVE"
        return super().take_action(args)


class RevertResize(ConfirmResize):
    """Undo a resize or migration: back to the old host and flavor."""

    action, operation = "revertResize", "revert"
    moving = _MOVING


class MigrateServer(_Move):
    """Move a server to another host (administrators): cold (then
    confirm), or live with --live-migration."""

    action, expected = "migrate", "VERIFY_RESIZE"

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--host", help="target host (a cold move "
                                           "needs API 2.56)")
        server_live.add_options(parser)
        return parser

    @errors.translated
    def take_action(self, args):
        if args.live_migration:
            return server_live.live_migrate(self, args)
        if args.block_migration is not None:
            raise errors.CommandError(
                "--block-migration and --shared-migration need "
                "--live-migration")
        return super().take_action(args)

    def body(self, args):
        if args.host:
            self.version = "2.56"
            return {"migrate": {"host": args.host}}
        return {"migrate": None}


def _migration_row(m):
    return (m["id"], m.get("instance_uuid") or m.get("server_uuid"),
            m.get("migration_type", ""), m["status"], m["source_compute"],
            m["dest_compute"], m.get("old_instance_type_id", ""),
            m.get("new_instance_type_id", ""), m.get("updated_at") or "")


class ListMigration(base.Lister):
    """List moves (administrators): all, a server's or a host's."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--server", help="only this server's moves")
        parser.add_argument("--host", help="only moves from or to host")
        parser.add_argument("--status", help="only moves in this status")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        query = []
        if args.server:
            server = rest.server(conn, args.server, all_projects=True)
            query.append(f"instance_uuid={server['id']}")
        if args.host:
            query.append(f"host={args.host}")
        if args.status:
            query.append(f"status={args.status}")
        path = "/os-migrations" + ("?" + "&".join(query) if query else "")
        migrations = rest.get(conn, path)["migrations"]
        return _MIGRATION_COLUMNS, [_migration_row(m) for m in migrations]


class ShowMigration(base.ShowOne):
    """Show one move of a server."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        parser.add_argument("migration", help="migration ID or UUID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server, all_projects=True)
        migration = rest.get(conn, f"/servers/{server['id']}/migrations/"
                                   f"{args.migration}")["migration"]
        names = sorted(migration)
        return names, [migration[n] for n in names]
