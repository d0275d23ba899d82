"""``nimbus plugin list``: the plugins installed on this machine.

It reads the local Python environment only (entry points and the
distributions declaring them), so it needs no API and no credentials.
"""


from nimbus.cli import errors
from nimbus.cli.commands import base
from nimbus.core import loading

COLUMNS = ("Group", "Name", "Class", "Package", "Version", "Interface",
           "Interface version", "Status")


class ListPlugin(base.Lister):
    """List installed plugins, their interface, and whether they load."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--group", action="append", metavar="<group>",
            help="only this entry-point group (repeatable), one of: "
                 + ", ".join(sorted(loading.GROUPS)))
        return parser

    def take_action(self, args):
        unknown = sorted(set(args.group or ()) - set(loading.GROUPS))
        if unknown:
            raise errors.CommandError(
                f"unknown plugin group {', '.join(unknown)}; known: "
                f"{', '.join(sorted(loading.GROUPS))}")
        return COLUMNS, [_row(info)
                         for info in loading.describe(args.group)]


def _row(info):
    return (info.group, info.name, info.target, info.package or "",
            info.version or "", info.interface, info.interface_version,
            info.status)
