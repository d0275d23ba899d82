"""``nimbus flavor ...``: list, show, create, delete, set/unset
properties, project access and (API 2.55) the description."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base

#: flavor descriptions: at create, in bodies, PUT /flavors/{id}.
DESCRIPTION_VERSION = "2.55"


def _details(flavor, specs=None, access=None):
    fields = {"id": flavor["id"], "name": flavor["name"],
              "ram": flavor["ram"], "disk": flavor["disk"],
              "vcpus": flavor["vcpus"],
              "swap": flavor.get("swap") or 0,
              "OS-FLV-EXT-DATA:ephemeral":
                  flavor.get("OS-FLV-EXT-DATA:ephemeral", 0),
              "rxtx_factor": flavor.get("rxtx_factor", 1.0),
              "os-flavor-access:is_public":
                  flavor.get("os-flavor-access:is_public", True),
              "properties": rest.props(specs)}
    if "description" in flavor:
        fields["description"] = flavor["description"]
    if access is not None:
        fields["access_project_ids"] = ", ".join(access)
    return tuple(fields), tuple(fields.values())


class ListFlavor(base.Lister):
    """List flavors."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all", action="store_true",
                            help="public and private flavors (admin)")
        return parser

    @errors.translated
    def take_action(self, args):
        path = "/flavors/detail" + ("?is_public=None" if args.all else "")
        flavors = rest.get(self.app.connection, path)["flavors"]
        return (("ID", "Name", "RAM", "Disk", "Ephemeral", "VCPUs",
                 "Is Public"),
                [(f["id"], f["name"], f["ram"], f["disk"],
                  f.get("OS-FLV-EXT-DATA:ephemeral", 0), f["vcpus"],
                  f.get("os-flavor-access:is_public", True))
                 for f in flavors])


class _OneFlavor:
    def flavor_parser(self, parser):
        parser.add_argument("flavor", help="flavor name or ID")
        return parser


class ShowFlavor(_OneFlavor, base.ShowOne):
    """Show a flavor with its properties (extra specs)."""

    def get_parser(self, prog_name):
        return self.flavor_parser(super().get_parser(prog_name))

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        flavor = rest.flavor(conn, args.flavor)
        specs = rest.get(conn, f"/flavors/{flavor['id']}/os-extra_specs")[
            "extra_specs"]
        access = None
        if not flavor.get("os-flavor-access:is_public", True):
            access = [a["tenant_id"] for a in rest.get(
                conn, f"/flavors/{flavor['id']}/os-flavor-access")[
                "flavor_access"]]
        return _details(flavor, specs, access)


class CreateFlavor(base.ShowOne):
    """Create a flavor (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="flavor name")
        parser.add_argument("--id", default="auto",
                            help="flavor ID (default: a generated UUID)")
        parser.add_argument("--ram", type=int, default=256,
                            help="memory in MiB (default 256)")
        parser.add_argument("--disk", type=int, default=0,
                            help="root disk in GiB (default 0)")
        parser.add_argument("--ephemeral", type=int, default=0,
                            help="ephemeral disk in GiB (default 0)")
        parser.add_argument("--swap", type=int, default=0,
                            help="swap in MiB (default 0)")
        parser.add_argument("--vcpus", type=int, default=1,
                            help="virtual CPUs (default 1)")
        parser.add_argument("--rxtx-factor", type=float, default=1.0)
        visibility = parser.add_mutually_exclusive_group()
        visibility.add_argument("--public", dest="public",
                                action="store_true", default=True)
        visibility.add_argument("--private", dest="public",
                                action="store_false")
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE", help="extra spec (repeat)")
        parser.add_argument("--project", action="append", default=[],
                            help="project allowed to use a private flavor")
        parser.add_argument("--description",
                            help="what the flavor is for (API 2.55)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        body = {"name": args.name, "ram": args.ram, "disk": args.disk,
                "vcpus": args.vcpus, "swap": args.swap,
                "rxtx_factor": args.rxtx_factor,
                "OS-FLV-EXT-DATA:ephemeral": args.ephemeral,
                "os-flavor-access:is_public": args.public}
        if args.id != "auto":
            body["id"] = args.id
        version = rest.MICROVERSION
        if args.description is not None:
            body["description"] = args.description
            version = DESCRIPTION_VERSION
        flavor = rest.call(conn, "POST", "/flavors", {"flavor": body},
                           version=version)["flavor"]
        specs = rest.parse_props(args.property)
        if specs:
            specs = rest.call(conn, "POST",
                              f"/flavors/{flavor['id']}/os-extra_specs",
                              {"extra_specs": specs})["extra_specs"]
        for project in args.project:
            rest.call(conn, "POST", f"/flavors/{flavor['id']}/action",
                      {"addTenantAccess": {"tenant": project}})
        return _details(flavor, specs,
                        args.project if not args.public else None)


class DeleteFlavor(base.Command):
    """Delete flavors (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("flavors", nargs="+", help="names or IDs")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.flavors:
            flavor = rest.flavor(conn, name)
            rest.call(conn, "DELETE", f"/flavors/{flavor['id']}")


class SetFlavor(_OneFlavor, base.Command):
    """Set a flavor's properties or give a project access (admin)."""

    def get_parser(self, prog_name):
        parser = self.flavor_parser(super().get_parser(prog_name))
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE", help="extra spec (repeat)")
        parser.add_argument("--project",
                            help="project to give access to this private "
                                 "flavor")
        parser.add_argument("--description",
                            help="a new description (API 2.55)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if not (args.property or args.project or
                args.description is not None):
            raise errors.CommandError(
                "Nothing to set: give --property, --project or "
                "--description.")
        flavor = rest.flavor(conn, args.flavor)
        if args.description is not None:
            rest.call(conn, "PUT", f"/flavors/{flavor['id']}",
                      {"flavor": {"description": args.description}},
                      version=DESCRIPTION_VERSION)
        if args.property:
            rest.call(conn, "POST", f"/flavors/{flavor['id']}/os-extra_specs",
                      {"extra_specs": rest.parse_props(args.property)})
        if args.project:
            rest.call(conn, "POST", f"/flavors/{flavor['id']}/action",
                      {"addTenantAccess": {"tenant": args.project}})


class UnsetFlavor(_OneFlavor, base.Command):
    """Remove a flavor's properties or a project's access (admin)."""

    def get_parser(self, prog_name):
        parser = self.flavor_parser(super().get_parser(prog_name))
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY", help="extra spec key (repeat)")
        parser.add_argument("--project",
                            help="project whose access to remove")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if not (args.property or args.project):
            raise errors.CommandError(
                "Nothing to unset: give --property or --project.")
        flavor = rest.flavor(conn, args.flavor)
        for key in args.property:
            rest.call(conn, "DELETE", f"/flavors/{flavor['id']}/"
                                      f"os-extra_specs/"
                                      f"{rest.quote(key, safe='')}")
        if args.project:
            rest.call(conn, "POST", f"/flavors/{flavor['id']}/action",
                      {"removeTenantAccess": {"tenant": args.project}})
