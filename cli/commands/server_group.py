"""``nimbus server group ...``: placement policies over servers."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base

_POLICIES = ("affinity", "anti-affinity", "soft-affinity",
             "soft-anti-affinity")


def _find(conn, name_or_id):
    return rest.find(conn, "server group", name_or_id,
                     "/os-server-groups", "server_groups",
                     show=("/os-server-groups/%s", "server_group"))


def _details(group):
    fields = {"id": group["id"], "name": group["name"],
              "policy": group.get("policy") or group["policies"][0],
              "rules": rest.props(group.get("rules")),
              "members": ", ".join(group.get("members") or ()),
              "project_id": group.get("project_id", ""),
              "user_id": group.get("user_id", "")}
    return tuple(fields), tuple(fields.values())


class CreateServerGroup(base.ShowOne):
    """Create a server group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="group name")
        parser.add_argument("--policy", choices=_POLICIES,
                            default="affinity",
                            help="placement policy (default affinity)")
        return parser

    @errors.translated
    def take_action(self, args):
        group = rest.call(self.app.connection, "POST", "/os-server-groups",
                          {"server_group": {"name": args.name,
                                            "policies": [args.policy]}})
        return _details(group["server_group"])


class ListServerGroup(base.Lister):
    """List server groups."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="groups of every project (admin)")
        return parser

    @errors.translated
    def take_action(self, args):
        path = "/os-server-groups" + (
            "?all_projects=True" if args.all_projects else "")
        groups = rest.get(self.app.connection, path)["server_groups"]
        return (("ID", "Name", "Policy", "Members"),
                [(g["id"], g["name"], g.get("policy") or g["policies"][0],
                  ", ".join(g.get("members") or ())) for g in groups])


class ShowServerGroup(base.ShowOne):
    """Show a server group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", help="group name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        return _details(_find(self.app.connection, args.group))


class DeleteServerGroup(base.Command):
    """Delete server groups."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("groups", nargs="+", help="names or IDs")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.groups:
            group = _find(conn, name)
            rest.call(conn, "DELETE", f"/os-server-groups/{group['id']}")
