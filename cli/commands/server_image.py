"""``nimbus server rebuild/shelve/unshelve/rescue/unrescue/evacuate`` and
``nimbus server image create``: the image and recovery actions, each
with ``--wait`` (a progress bar over the task states)."""

import base64
import time

from nimbus.cli import errors, rest
from nimbus.cli.commands import base
from nimbus.cli.commands import server as server_cmd


class RebuildServer(server_cmd._Action):
    """Rebuild a server from an image (its own by default) on its host."""
    action, waits = "rebuild", ("ACTIVE", "rebuild")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--image", help="image name or ID (default: "
                                            "the server's own)")
        parser.add_argument("--name", help="a new name for the server")
        parser.add_argument("--password", help="the admin password")
        key = parser.add_mutually_exclusive_group()
        key.add_argument("--key-name", help="the key pair the guest gets "
                                            "from now on (API 2.54)")
        key.add_argument("--no-key-name", action="store_true",
                         help="the guest gets no key pair any more "
                              "(API 2.54)")
        data = parser.add_mutually_exclusive_group()
        data.add_argument("--user-data", metavar="FILE",
                          help="a file the guest gets as its user data "
                               "from now on (API 2.57)")
        data.add_argument("--no-user-data", action="store_true",
                          help="the guest gets no user data any more "
                               "(API 2.57)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        self._server = server
        super().take_action(args)

    def body(self, args):
        image = rest.image(self.app.connection, args.image)["id"] \
            if args.image else self._server["image"]["id"]
        body = {"imageRef": image}
        if args.name:
            body["name"] = args.name
        if args.password:
            body["adminPass"] = args.password
        if args.key_name or args.no_key_name:
            body["key_name"] = args.key_name
            self.version = "2.54"
        if args.user_data or args.no_user_data:
            body["user_data"] = _user_data(args.user_data)
            self.version = "2.57"
        return {"rebuild": body}


def _user_data(path):
    """The base64 of the file at ``path`` (None for no path)."""
    if path is None:
        return None
    try:
        with open(path, "rb") as data:
            return base64.b64encode(data.read()).decode()
    except OSError as err:
        raise errors.CommandError(f"Cannot read user data {path}: "
                                  f"{err.strerror}")


class ShelveServer(server_cmd._Action):
    """Shelve a server: stop it, snapshot it and let its host go."""
    action, waits = "shelve", (("SHELVED", "SHELVED_OFFLOADED"), "shelve")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--offload", action="store_true",
                            help="offload a server already shelved (admin)")
        return parser

    def body(self, args):
        return {"shelveOffload" if args.offload else "shelve": None}

    def operation(self, args):
        return "shelve_offload" if args.offload else "shelve"


class UnshelveServer(server_cmd._Action):
    """Start a shelved server again (scheduled anew when offloaded)."""
    action, waits = "unshelve", ("ACTIVE", "unshelve")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        zone = parser.add_mutually_exclusive_group()
        zone.add_argument("--availability-zone", metavar="ZONE",
                          help="unshelve into this zone (and pin the "
                               "server to it)")
        zone.add_argument("--no-availability-zone", action="store_true",
                          help="unpin the server from its zone")
        parser.add_argument("--host", help="unshelve onto this host "
                                           "(admin)")
        return parser

    def body(self, args):
        body = {}
        if args.availability_zone:
            body["availability_zone"] = args.availability_zone
        if args.no_availability_zone:
            body["availability_zone"] = None
        if args.host:
            body["host"] = args.host
        # 2.77: a zone; 2.91: a host, or None to unpin
        if args.host or args.no_availability_zone:
            self.version = "2.91"
        elif body:
            self.version = "2.77"
        return {"unshelve": body or None}


class RescueServer(server_cmd._Action):
    """Boot a server from a rescue image with its own disk attached."""
    action, waits = "rescue", ("RESCUE", "rescue")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--image", help="rescue image name or ID "
                                            "(default: the server's own)")
        parser.add_argument("--password", help="the admin password")
        return parser

    def body(self, args):
        body = {}
        if args.image:
            body["rescue_image_ref"] = rest.image(self.app.connection,
                                                  args.image)["id"]
        if args.password:
            body["adminPass"] = args.password
        return {"rescue": body or None}


class UnrescueServer(server_cmd._Action):
    """Return a rescued server to its own disk."""
    action, waits = "unrescue", ("ACTIVE", "unrescue")


class EvacuateServer(server_cmd._Action):
    """Rebuild a server of a host that is down on another host (admin)."""
    action, waits = "evacuate", ("ACTIVE", "evacuate")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--host", help="the target host (default: the "
                                           "scheduler's choice)")
        parser.add_argument("--password", help="the admin password")
        return parser

    def body(self, args):
        body = {"onSharedStorage": False}
        if args.host:
            body["host"] = args.host
        if args.password:
            body["adminPass"] = args.password
        return {"evacuate": body}


class CreateServerImage(server_cmd._OneServer, base.ShowOne):
    """Snapshot a server into a new image."""

    def get_parser(self, prog_name):
        parser = self.add_server(super().get_parser(prog_name))
        parser.add_argument("--name", required=True, help="the image name")
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE",
                            help="an image property (repeatable)")
        server_cmd._add_wait(parser)
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        body = {"name": args.name}
        if args.property:
            body["metadata"] = rest.parse_props(args.property)
        resp = conn.compute.request(
            f"/servers/{server['id']}/action", "POST",
            json={"createImage": body}, microversion=rest.MICROVERSION)
        from openstack import exceptions as sdk_exceptions
        sdk_exceptions.raise_from_response(resp)
        image_id = resp.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        image = rest.get(conn, f"/images/{image_id}")["image"]
        if args.wait:
            image = _wait_image(conn, image_id, args.timeout, self.app.stderr)
        return (("id", "name", "status", "server"),
                (image["id"], image["name"], image["status"], server["id"]))


def _wait_image(conn, image_id, timeout, stream):
    deadline = time.monotonic() + timeout
    while True:
        image = rest.get(conn, f"/images/{image_id}")["image"]
        if image["status"] == "ACTIVE":
            stream.write(f"image {image_id} ACTIVE\n")
            return image
        if image["status"] in ("ERROR", "DELETED"):
            raise errors.CommandError(f"Image {image_id} is "
                                      f"{image['status']}")
        if time.monotonic() > deadline:
            raise errors.CommandError(
                f"Timed out after {timeout} s waiting for image "
                f"{image_id}")
        time.sleep(0.5)

