"""``nimbus server ...``: create, list, show, delete, start, stop, reboot."""

import sys
import time

from cliff import command, lister, show

from nimbus.cli import errors

_LIST_COLUMNS = ("ID", "Name", "Status", "Host", "Flavor", "Image")


def _row(server):
    flavor = server.flavor or {}
    image = server.image or {}
    return (server.id, server.name, server.status,
            server.compute_host or "", flavor.get("id", ""),
            image.get("id", "") if isinstance(image, dict) else "")


def _details(server):
    fields = {
        "id": server.id, "name": server.name, "status": server.status,
        "vm_state": server.vm_state, "task_state": server.task_state,
        "power_state": server.power_state, "host": server.compute_host,
        "flavor": (server.flavor or {}).get("id"),
        "image": (server.image or {}).get("id")
        if isinstance(server.image, dict) else "",
        "created": server.created_at, "project_id": server.project_id,
    }
    if server.fault:
        fields["fault"] = server.fault.get("message")
    return tuple(fields), tuple(fields.values())


def find_server(conn, name_or_id):
    server = conn.compute.find_server(name_or_id, ignore_missing=True)
    if server is None:
        raise errors.CommandError(f"No server with a name or ID of "
                                  f"'{name_or_id}' exists.")
    return conn.compute.get_server(server.id)


class CreateServer(show.ShowOne):
    """Create a server (and optionally wait until it is ACTIVE)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="new server name")
        parser.add_argument("--flavor", required=True,
                            help="flavor name or ID")
        parser.add_argument("--image", required=True,
                            help="image name or ID")
        parser.add_argument("--wait", action="store_true",
                            help="wait until the server is ACTIVE")
        parser.add_argument("--timeout", type=int, default=600,
                            help="seconds --wait waits (default 600)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        flavor = conn.compute.find_flavor(args.flavor, ignore_missing=True)
        if flavor is None:
            raise errors.CommandError(f"Flavor '{args.flavor}' not found.")
        image = conn.compute.find_image(args.image, ignore_missing=True)
        if image is None:
            raise errors.CommandError(f"Image '{args.image}' not found.")
        server = conn.compute.create_server(
            name=args.name, flavor_id=flavor.id, image_id=image.id)
        if args.wait:
            server = wait_for(conn, server.id, "ACTIVE", args.timeout,
                              self.app.stderr)
        else:
            server = conn.compute.get_server(server.id)
        return _details(server)


def wait_for(conn, server_id, status, timeout, stream):
    """Poll until ``status``; print progress dots; raise on ERROR."""
    deadline = time.monotonic() + timeout
    while True:
        server = conn.compute.get_server(server_id)
        if server.status == status:
            stream.write(" done\n")
            return server
        if server.status == "ERROR":
            stream.write(" error\n")
            reason = (server.fault or {}).get("message", "unknown reason")
            raise errors.CommandError(
                f"Server {server_id} went to ERROR: {reason}")
        if time.monotonic() > deadline:
            raise errors.CommandError(
                f"Timed out waiting for server {server_id} to be {status}")
        stream.write(f"\rWaiting for {status}: {server.status} .")
        stream.flush()
        time.sleep(0.5)


class ListServer(lister.Lister):
    """List servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="servers of every project (admin)")
        return parser

    @errors.translated
    def take_action(self, args):
        query = {"all_projects": True} if args.all_projects else {}
        servers = self.app.connection.compute.servers(**query)
        return _LIST_COLUMNS, [_row(s) for s in servers]


class ShowServer(show.ShowOne):
    """Show one server."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        return _details(find_server(self.app.connection, args.server))


class DeleteServer(command.Command):
    """Delete one or more servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("servers", nargs="+", help="names or IDs")
        parser.add_argument("--wait", action="store_true",
                            help="wait until they are gone")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        failed = 0
        for name in args.servers:
            try:
                server = find_server(conn, name)
                conn.compute.delete_server(server)
                if args.wait:
                    conn.compute.wait_for_delete(server, interval=0.5)
            except errors.CommandError as err:
                failed += 1
                print(err, file=sys.stderr)
        if failed:
            raise errors.CommandError(
                f"{failed} of {len(args.servers)} servers failed to delete.")


class _Action(command.Command):
    action = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = find_server(conn, args.server)
        self.act(conn, server, args)


class StartServer(_Action):
    """Start a stopped server."""

    def act(self, conn, server, args):
        conn.compute.start_server(server)


class StopServer(_Action):
    """Stop a running server."""

    def act(self, conn, server, args):
        conn.compute.stop_server(server)


class RebootServer(_Action):
    """Reboot a server (soft by default)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--hard", action="store_true",
                            help="hard reboot (reset)")
        return parser

    def act(self, conn, server, args):
        conn.compute.reboot_server(server, "HARD" if args.hard else "SOFT")
