"""``nimbus quota show/set/delete`` and ``nimbus limits show``."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base

#: CLI option -> quota key in os-quota-sets.
_QUOTAS = {"instances": "instances", "cores": "cores", "ram": "ram",
           "key-pairs": "key_pairs", "metadata-items": "metadata_items",
           "server-groups": "server_groups",
           "server-group-members": "server_group_members",
           "injected-files": "injected_files",
           "injected-file-size": "injected_file_content_bytes",
           "injected-path-size": "injected_file_path_bytes"}


def _project(conn, value):
    """The project ID: given, or the caller's own."""
    if value:
        return value
    return conn.current_project_id


class ShowQuota(base.ShowOne):
    """Show a project's quotas (--usage: with what is in use)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("project", nargs="?",
                            help="project ID (default: your own)")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--default", action="store_true",
                           help="the defaults new projects get")
        which.add_argument("--usage", action="store_true",
                           help="limit, in use and reserved of each")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        project = _project(conn, args.project)
        suffix = "/defaults" if args.default else (
            "/detail" if args.usage else "")
        quotas = rest.get(conn, f"/os-quota-sets/{project}{suffix}")[
            "quota_set"]
        quotas.pop("id", None)
        if args.usage:
            quotas = {k: f"{v['in_use']} / {v['limit']}"
                      f" (reserved {v.get('reserved', 0)})"
                      for k, v in quotas.items()}
        keys = sorted(quotas)
        return tuple(["project"] + keys), tuple(
            [project] + [quotas[k] for k in keys])


class SetQuota(base.Command):
    """Set a project's quotas (admin); -1 is unlimited."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("project", help="project ID")
        for option in _QUOTAS:
            parser.add_argument(f"--{option}", type=int, metavar="N")
        parser.add_argument("--force", action="store_true",
                            help="allow a limit below current usage")
        return parser

    @errors.translated
    def take_action(self, args):
        body = {key: getattr(args, option.replace("-", "_"))
                for option, key in _QUOTAS.items()
                if getattr(args, option.replace("-", "_")) is not None}
        if not body:
            raise errors.CommandError(
                "Nothing to set: give at least one quota option.")
        if args.force:
            body["force"] = True
        rest.call(self.app.connection, "PUT",
                  f"/os-quota-sets/{args.project}", {"quota_set": body})


class DeleteQuota(base.Command):
    """Reset a project's quotas to the defaults (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("project", help="project ID")
        return parser

    @errors.translated
    def take_action(self, args):
        rest.call(self.app.connection, "DELETE",
                  f"/os-quota-sets/{args.project}")


class ShowLimits(base.Lister):
    """Show your project's absolute limits and usage."""

    @errors.translated
    def take_action(self, args):
        limits = rest.get(self.app.connection, "/limits")["limits"]
        return (("Name", "Value"),
                sorted(limits.get("absolute", {}).items()))
