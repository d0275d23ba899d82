"""``nimbus volume ...`` (create, list, show, delete, extend) and
``nimbus server add volume`` / ``server remove volume``."""

import time

from nimbus.cli import errors
from nimbus.cli.commands import base
from nimbus.cli.commands import server as server_cmd

_LIST_COLUMNS = ("ID", "Name", "Status", "Size", "Attached to")
_FIELDS = ("id", "name", "status", "size", "availability_zone", "bootable",
           "description", "snapshot_id", "source_volid", "created_at")


def _attached(volume):
    return ", ".join(f"{a.get('server_id')} on {a.get('device')}"
                     for a in volume.attachments or [])


def _details(volume):
    values = [getattr(volume, f, None) for f in _FIELDS]
    names = list(_FIELDS) + ["attachments", "properties"]
    values += [_attached(volume), ", ".join(
        f"{k}={v}" for k, v in sorted((volume.metadata or {}).items()))]
    return tuple(names), tuple(values)


def find_volume(conn, name_or_id):
    volume = conn.block_storage.find_volume(name_or_id, ignore_missing=True)
    if volume is None:
        raise errors.CommandError(f"No volume with a name or ID of "
                                  f"'{name_or_id}' exists.")
    return volume


def wait_for(conn, volume_id, statuses, timeout, stream):
    """Poll the volume until its status is one of ``statuses``; raise on
    an error status."""
    deadline = time.monotonic() + timeout
    while True:
        volume = conn.block_storage.get_volume(volume_id)
        # The line is written at every look, the first too, so a volume
        # that is ready at once still says what was waited for.
        stream.write(f"\rWaiting for {statuses[0]}: {volume.status} .")
        if volume.status in statuses:
            stream.write(" done\n")
            return volume
        if volume.status.startswith("error"):
            stream.write(" error\n")
            raise errors.CommandError(
                f"Volume {volume_id} went to {volume.status}")
        if time.monotonic() > deadline:
            stream.write("\n")
            raise errors.CommandError(
                f"Timed out waiting for volume {volume_id} to be "
                f"{' or '.join(statuses)}")
        stream.flush()
        time.sleep(0.5)


class CreateVolume(base.ShowOne):
    """Create a volume (empty, or from a snapshot or an image)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="new volume name")
        parser.add_argument("--size", type=int,
                            help="size in GiB (needed unless --snapshot)")
        parser.add_argument("--snapshot", help="snapshot name or ID")
        parser.add_argument("--image", help="image name or ID")
        parser.add_argument("--description", help="volume description")
        parser.add_argument("--wait", action="store_true",
                            help="wait until the volume is available")
        parser.add_argument("--timeout", type=int, default=600,
                            help="seconds --wait waits (default 600)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if args.size is None and not args.snapshot:
            raise errors.CommandError("--size is required (unless the "
                                      "volume comes from --snapshot)")
        if args.size is not None and args.size < 1:
            raise errors.CommandError("--size must be at least 1 (GiB)")
        attrs = {"name": args.name, "description": args.description}
        if args.size is not None:
            attrs["size"] = args.size
        if args.snapshot:
            snap = conn.block_storage.find_snapshot(args.snapshot,
                                                    ignore_missing=True)
            if snap is None:
                raise errors.CommandError(
                    f"Snapshot '{args.snapshot}' not found.")
            attrs["snapshot_id"] = snap.id
        if args.image:
            image = conn.image.find_image(args.image, ignore_missing=True)
            if image is None:
                raise errors.CommandError(f"Image '{args.image}' not found.")
            attrs["image_id"] = image.id
        volume = conn.block_storage.create_volume(**attrs)
        if args.wait:
            volume = wait_for(conn, volume.id, ("available",),
                              args.timeout, self.app.stderr)
        return _details(volume)


class ListVolume(base.Lister):
    """List volumes."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="volumes of every project (admin)")
        return parser

    @errors.translated
    def take_action(self, args):
        query = {"all_projects": True} if args.all_projects else {}
        volumes = self.app.connection.block_storage.volumes(**query)
        return _LIST_COLUMNS, [(v.id, v.name, v.status, v.size,
                                _attached(v)) for v in volumes]


class ShowVolume(base.ShowOne):
    """Show one volume."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("volume", help="volume name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        return _details(find_volume(self.app.connection, args.volume))


class DeleteVolume(base.Command):
    """Delete volumes (they must not be attached)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("volumes", nargs="+", metavar="volume",
                            help="volume names or IDs")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.volumes:
            conn.block_storage.delete_volume(find_volume(conn, name).id)


class ExtendVolume(base.ShowOne):
    """Grow a volume (available, or in-use) to a new size."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("volume", help="volume name or ID")
        parser.add_argument("--size", type=int, required=True,
                            help="the new size in GiB")
        parser.add_argument("--wait", action="store_true",
                            help="wait until the volume has grown")
        parser.add_argument("--timeout", type=int, default=600,
                            help="seconds --wait waits (default 600)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        volume = find_volume(conn, args.volume)
        if args.size <= volume.size:
            raise errors.CommandError(
                f"--size must be larger than the volume's {volume.size} "
                "GiB")
        conn.block_storage.extend_volume(volume.id, args.size)
        if args.wait:
            deadline = time.monotonic() + args.timeout
            while True:
                volume = wait_for(conn, volume.id, ("available", "in-use"),
                                  args.timeout, self.app.stderr)
                if volume.size >= args.size:
                    break
                if time.monotonic() > deadline:
                    raise errors.CommandError("Timed out waiting for the "
                                              "volume to grow")
                time.sleep(0.5)
        else:
            volume = conn.block_storage.get_volume(volume.id)
        return _details(volume)


def _server_volume_args(parser, until):
    """SERVER VOLUME [--wait [--timeout S]] (``--wait``: until the volume
    is ``until``)."""
    parser.add_argument("server", help="server name or ID")
    parser.add_argument("volume", help="volume name or ID")
    parser.add_argument("--wait", action="store_true",
                        help=f"wait until the volume is {until}")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds --wait waits (default 600)")
    return parser


class AddServerVolume(base.ShowOne):
    """Attach a volume to a running server."""

    def get_parser(self, prog_name):
        return _server_volume_args(super().get_parser(prog_name), "in-use")

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = server_cmd.find_server(conn, args.server)
        volume = find_volume(conn, args.volume)
        attachment = conn.compute.create_volume_attachment(
            server, volume=volume.id)
        if args.wait:
            wait_for(conn, volume.id, ("in-use",), args.timeout,
                     self.app.stderr)
        return (("server", "volume", "device"),
                (server.id, volume.id, attachment.device))


class RemoveServerVolume(base.Command):
    """Detach a volume from a server."""

    def get_parser(self, prog_name):
        return _server_volume_args(super().get_parser(prog_name),
                                   "available")

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = server_cmd.find_server(conn, args.server)
        volume = find_volume(conn, args.volume)
        conn.compute.delete_volume_attachment(server, volume.id)
        if args.wait:
            wait_for(conn, volume.id, ("available",), args.timeout,
                     self.app.stderr)
