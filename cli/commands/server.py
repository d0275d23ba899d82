"""``nimbus server ...``: create, list, show, set/unset, delete and the
server actions the compute API serves."""

import base64
import sys

from nimbus.cli import errors, progress, rest
from nimbus.cli.commands import base

_LIST_COLUMNS = ("ID", "Name", "Status", "Task State", "Host", "Flavor",
                 "Image")


def _flavor_name(server, flavors):
    flavor = server.get("flavor") or {}
    if "original_name" in flavor:
        return flavor["original_name"]
    fid = str(flavor.get("id", ""))
    return flavors.get(fid) or fid


def _image_name(server, images):
    image = server.get("image")
    if not isinstance(image, dict):
        return "N/A (booted from volume)"
    iid = str(image.get("id", ""))
    return images.get(iid) or iid


def _names(conn):
    return (rest.names(conn, "/flavors/detail", "flavors"),
            rest.names(conn, "/images/detail", "images"))


def _row(server, flavors, images):
    return (server["id"], server["name"], server["status"],
            server.get("OS-EXT-STS:task_state") or "",
            server.get("OS-EXT-SRV-ATTR:host") or "",
            _flavor_name(server, flavors), _image_name(server, images))


def _addresses(server):
    return "; ".join(
        f"{net}=" + ", ".join(a["addr"] for a in addrs)
        for net, addrs in sorted((server.get("addresses") or {}).items()))


def details(conn, server):
    """The (columns, values) of ``server show``: names, not bare IDs."""
    flavors, images = _names(conn)
    fields = {
        "id": server["id"], "name": server["name"],
        "status": server["status"],
        "OS-EXT-STS:vm_state": server.get("OS-EXT-STS:vm_state"),
        "OS-EXT-STS:task_state": server.get("OS-EXT-STS:task_state"),
        "OS-EXT-STS:power_state": server.get("OS-EXT-STS:power_state"),
        "OS-EXT-SRV-ATTR:host": server.get("OS-EXT-SRV-ATTR:host"),
        "OS-EXT-AZ:availability_zone":
            server.get("OS-EXT-AZ:availability_zone"),
        "flavor": f"{_flavor_name(server, flavors)} "
                  f"({(server.get('flavor') or {}).get('id', '')})",
        "image": _image_name(server, images),
        "key_name": server.get("key_name"),
        "addresses": _addresses(server),
        "security_groups": ", ".join(sorted(
            {g["name"] for g in server.get("security_groups") or ()})),
        "properties": rest.props(server.get("metadata")),
        "locked": server.get("locked"),
        "created": server.get("created"),
        "updated": server.get("updated"),
        "project_id": server.get("tenant_id"),
        "user_id": server.get("user_id"),
    }
    if server.get("fault"):
        fields["fault"] = server["fault"].get("message")
    fields = {k: ("" if v is None else v) for k, v in fields.items()}
    return tuple(fields), tuple(fields.values())


def find_server(conn, name_or_id):
    """The openstacksdk ``Server`` named or identified by ``name_or_id``
    (for commands that work with SDK objects, e.g. the network and
    volume verbs).

    :raises CommandError: no such server, or several with that name.
    """
    return conn.compute.get_server(rest.server(conn, name_or_id)["id"])


def _add_wait(parser):
    parser.add_argument("--wait", action="store_true",
                        help="wait (with a progress bar) until it is done")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds --wait waits (default 600)")


def _read_user_data(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise errors.CommandError(
            f"Cannot read user data file {path}: {err.strerror}")
    return base64.b64encode(data).decode("ascii")


def add_network_arguments(parser):
    """The place for ``--network``/``--nic``: they come with the network
    service's CLI (issue 9), which extends this function."""


def network_body(args):
    """The ``networks`` member of a create request from the network
    arguments (none yet: see :func:`add_network_arguments`)."""
    return {}


class CreateServer(base.ShowOne):
    """Create a server (and optionally wait until it is ACTIVE)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="new server name")
        parser.add_argument("--flavor", required=True,
                            help="flavor name or ID")
        parser.add_argument("--image", required=True,
                            help="image name or ID")
        parser.add_argument("--key-name", help="keypair to inject")
        parser.add_argument("--user-data", metavar="FILE",
                            help="file given to the guest as user data")
        parser.add_argument("--property", action="append",
                            metavar="KEY=VALUE", default=[],
                            help="metadata (repeat for several)")
        parser.add_argument("--availability-zone", metavar="ZONE",
                            help="zone (or zone:host for admins)")
        parser.add_argument("--hint", action="append", default=[],
                            metavar="KEY=VALUE",
                            help="scheduler hint (repeat for several; "
                                 "group=, same_host=, different_host=)")
        add_network_arguments(parser)
        _add_wait(parser)
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        flavor = rest.flavor(conn, args.flavor)
        image = rest.image(conn, args.image)
        body = {"name": args.name, "flavorRef": flavor["id"],
                "imageRef": image["id"]}
        if args.key_name:
            body["key_name"] = args.key_name
        if args.user_data:
            body["user_data"] = _read_user_data(args.user_data)
        if args.property:
            body["metadata"] = rest.parse_props(args.property)
        if args.availability_zone:
            body["availability_zone"] = args.availability_zone
        body.update(network_body(args))
        request = {"server": body}
        hints = {}
        for key, value in rest.parse_props(args.hint).items():
            hints.setdefault(key, []).append(value)
        if hints:
            request["os:scheduler_hints"] = {
                k: v[0] if len(v) == 1 else v for k, v in hints.items()}
        created = rest.call(conn, "POST", "/servers", request)["server"]
        if args.wait:
            progress.wait_for_server(conn, created["id"], "ACTIVE",
                                     args.timeout, self.app.stderr,
                                     "build")
        return details(conn, rest.get(
            conn, f"/servers/{created['id']}")["server"])


class ListServer(base.Lister):
    """List servers (flavor and image by name)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="servers of every project (admin)")
        parser.add_argument("--name", help="only servers with this name")
        parser.add_argument("--status", help="only servers in this status")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        query = []
        if args.all_projects:
            query.append("all_tenants=1")
        if args.name:
            query.append(f"name={rest.quote(args.name)}")
        if args.status:
            query.append(f"status={rest.quote(args.status.upper())}")
        servers = rest.get(conn, "/servers/detail" + (
            "?" + "&".join(query) if query else ""))["servers"]
        flavors, images = _names(conn)
        return _LIST_COLUMNS, [_row(s, flavors, images) for s in servers]


class _OneServer:
    """Mixin: the ``server`` positional argument."""

    def add_server(self, parser):
        parser.add_argument("server", help="server name or ID")
        return parser


class ShowServer(_OneServer, base.ShowOne):
    """Show one server (or, with --diagnostics, what its hypervisor
    measures of it)."""

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        parser.add_argument(
            "--diagnostics", action="store_true",
            help="show the running server's diagnostics (admin; the "
                 "Compute API's standard format, 2.48)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        if not args.diagnostics:
            return details(conn, server)
        diags = rest.call(conn, "GET", f"/servers/{server['id']}/diagnostics",
                          version="2.48")
        names = sorted(diags)
        return names, [diags[name] for name in names]


class DeleteServer(base.Command):
    """Delete one or more servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("servers", nargs="+", help="names or IDs")
        _add_wait(parser)
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        failed = 0
        for name in args.servers:
            try:
                server = rest.server(conn, name)
                rest.call(conn, "DELETE", f"/servers/{server['id']}")
                if args.wait:
                    progress.wait_for_server(conn, server["id"], None,
                                             args.timeout, self.app.stderr,
                                             "delete")
            except errors.CommandError as err:
                failed += 1
                print(err, file=sys.stderr)
        if failed:
            raise errors.CommandError(
                f"{failed} of {len(args.servers)} servers failed to delete.")


class _Action(_OneServer, base.Command):
    """A server action: ``{action: body}`` on /servers/{id}/action."""

    action = None
    #: (status --wait waits for, progress operation) or None: not long.
    waits = None
    #: the microversion the action is sent at (``body`` may raise it).
    version = rest.MICROVERSION

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        if self.waits:
            _add_wait(parser)
        return parser

    def body(self, args):
        return {self.action: None}

    def operation(self, args):
        return self.waits[1]

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        body = self.body(args)
        rest.call(conn, "POST", f"/servers/{server['id']}/action", body,
                  version=self.version)
        if self.waits and args.wait:
            progress.wait_for_server(conn, server["id"], self.waits[0],
                                     args.timeout, self.app.stderr,
                                     self.operation(args))


class StartServer(_Action):
    """Start a stopped server."""
    action, waits = "os-start", ("ACTIVE", "start")


class StopServer(_Action):
    """Stop a running server."""
    action, waits = "os-stop", ("SHUTOFF", "stop")


class PauseServer(_Action):
    """Pause a server (its guest keeps its memory, stops running)."""
    action, waits = "pause", ("PAUSED", "pause")


class UnpauseServer(_Action):
    """Unpause a paused server."""
    action, waits = "unpause", ("ACTIVE", "unpause")


class SuspendServer(_Action):
    """Suspend a server (its memory is saved to disk)."""
    action, waits = "suspend", ("SUSPENDED", "suspend")


class ResumeServer(_Action):
    """Resume a suspended server."""
    action, waits = "resume", ("ACTIVE", "resume")


class LockServer(_Action):
    """Lock a server: only admins may act on it until unlocked."""
    action = "lock"


class UnlockServer(_Action):
    """Unlock a locked server."""
    action = "unlock"


class RebootServer(_Action):
    """Reboot a server (soft by default)."""
    action, waits = "reboot", ("ACTIVE", "reboot")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--hard", action="store_true",
                          help="hard reboot (reset the guest)")
        kind.add_argument("--soft", action="store_true",
                          help="soft reboot (ask the guest; the default)")
        return parser

    def body(self, args):
        return {"reboot": {"type": "HARD" if args.hard else "SOFT"}}

    def operation(self, args):
        return "reboot_hard" if args.hard else "reboot"


class SetServer(_OneServer, base.Command):
    """Set a server's name, properties, (admin) state or root
    password."""

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        parser.add_argument("--name", help="new name")
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE",
                            help="metadata to add or change (repeat)")
        parser.add_argument("--state", choices=("active", "error"),
                            help="reset the server's state (admin)")
        parser.add_argument("--root-password", metavar="PASSWORD",
                            help="set the guest's administrator password "
                                 "(where its hypervisor can)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if not (args.name or args.property or args.state or
                args.root_password):
            raise errors.CommandError(
                "Nothing to set: give --name, --property, --state or "
                "--root-password.")
        server = rest.server(conn, args.server)
        path = f"/servers/{server['id']}"
        if args.name:
            rest.call(conn, "PUT", path, {"server": {"name": args.name}})
        if args.property:
            rest.call(conn, "POST", path + "/metadata",
                      {"metadata": rest.parse_props(args.property)})
        if args.state:
            rest.call(conn, "POST", path + "/action",
                      {"os-resetState": {"state": args.state}})
        if args.root_password:
            rest.call(conn, "POST", path + "/action",
                      {"changePassword": {"adminPass": args.root_password}})


class UnsetServer(_OneServer, base.Command):
    """Remove properties from a server."""

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY", required=True,
                            help="metadata key to remove (repeat)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        for key in args.property:
            rest.call(conn, "DELETE", f"/servers/{server['id']}/metadata/"
                                      f"{rest.quote(key, safe='')}")


class ListServerEvent(_OneServer, base.Lister):
    """List a server's actions (its event log)."""

    def get_parser(self, prog_name):
        return self.add_server(super().get_parser(prog_name))

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        actions = rest.get(conn, f"/servers/{server['id']}/"
                                 f"os-instance-actions")["instanceActions"]
        return (("Request ID", "Action", "Start Time", "Message"),
                [(a["request_id"], a["action"], a.get("start_time"),
                  a.get("message") or "") for a in actions])


class ShowServerEvent(_OneServer, base.ShowOne):
    """Show one server action and its events."""

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        parser.add_argument("request_id", help="request ID of the action")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        action = rest.get(conn, f"/servers/{server['id']}/os-instance-"
                                f"actions/{args.request_id}")[
            "instanceAction"]
        events = "; ".join(
            f"{e['event']}: {e.get('result') or 'in progress'}"
            for e in action.get("events") or ())
        fields = {"request_id": action["request_id"],
                  "action": action["action"],
                  "start_time": action.get("start_time"),
                  "message": action.get("message") or "",
                  "user_id": action.get("user_id"),
                  "project_id": action.get("project_id"),
                  "events": events}
        return tuple(fields), tuple(fields.values())
