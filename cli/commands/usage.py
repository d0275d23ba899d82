"""``nimbus usage list/show``: resource usage over a period."""

import datetime

from nimbus.cli import errors, rest
from nimbus.cli.commands import base

_FMT = "%Y-%m-%d"


def _period_arguments(parser):
    parser.add_argument("--start", metavar="YYYY-MM-DD",
                        help="start of the period (default: 4 weeks ago)")
    parser.add_argument("--end", metavar="YYYY-MM-DD",
                        help="end of the period (default: tomorrow)")
    return parser


def _period(args):
    now = datetime.datetime.now(datetime.UTC)
    try:
        end = datetime.datetime.strptime(args.end, _FMT) if args.end \
            else now + datetime.timedelta(days=1)
        start = datetime.datetime.strptime(args.start, _FMT) \
            if args.start else now - datetime.timedelta(weeks=4)
    except ValueError as err:
        raise errors.CommandError(f"Bad date (use YYYY-MM-DD): {err}")
    return (f"start={start.strftime('%Y-%m-%dT%H:%M:%S')}"
            f"&end={end.strftime('%Y-%m-%dT%H:%M:%S')}")


def _totals(usage):
    return (len(usage.get("server_usages") or ()),
            f"{usage.get('total_memory_mb_usage', 0):.2f}",
            f"{usage.get('total_vcpus_usage', 0):.2f}",
            f"{usage.get('total_local_gb_usage', 0):.2f}")


class ListUsage(base.Lister):
    """List every project's usage over a period (admin)."""

    def get_parser(self, prog_name):
        return _period_arguments(super().get_parser(prog_name))

    @errors.translated
    def take_action(self, args):
        usages = rest.get(self.app.connection, "/os-simple-tenant-usage?" +
                          _period(args) + "&detailed=1")["tenant_usages"]
        return (("Project", "Servers", "RAM MB-Hours", "CPU Hours",
                 "Disk GB-Hours"),
                [(u["tenant_id"],) + _totals(u) for u in usages])


class ShowUsage(base.ShowOne):
    """Show one project's usage over a period (default: your own)."""

    def get_parser(self, prog_name):
        parser = _period_arguments(super().get_parser(prog_name))
        parser.add_argument("--project", help="project ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        project = args.project or conn.current_project_id
        usage = rest.get(conn, f"/os-simple-tenant-usage/{project}?" +
                         _period(args))["tenant_usage"]
        values = (project,) + _totals(usage)
        return (("project", "servers", "ram_mb_hours", "cpu_hours",
                 "disk_gb_hours"), values)
