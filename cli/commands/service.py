"""``nimbus service list/set/delete`` (admin)."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


class ListService(base.Lister):
    """List services and whether they are up."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--host", help="only this host's services")
        parser.add_argument("--service", help="only this binary")
        parser.add_argument("--long", action="store_true",
                            help="also the disabled reason and forced down")
        return parser

    @errors.translated
    def take_action(self, args):
        query = "&".join(f"{k}={rest.quote(v)}" for k, v in
                         (("host", args.host), ("binary", args.service))
                         if v)
        services = rest.get(self.app.connection, "/os-services" + (
            "?" + query if query else ""))["services"]
        columns = ["ID", "Binary", "Host", "Zone", "Status", "State",
                   "Updated At"]
        rows = [[s["id"], s["binary"], s["host"], s["zone"], s["status"],
                 s["state"], s["updated_at"]] for s in services]
        if args.long:
            columns += ["Disabled Reason", "Forced Down"]
            for row, s in zip(rows, services, strict=True):
                row += [s.get("disabled_reason") or "",
                        s.get("forced_down", False)]
        return columns, rows


class SetService(base.Command):
    """Enable, disable or force down a service (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("host", help="host of the service")
        parser.add_argument("service", help="binary, e.g. nova-compute (or nimbus-compute)")
        enable = parser.add_mutually_exclusive_group()
        enable.add_argument("--enable", action="store_true",
                            help="let the scheduler pick this host")
        enable.add_argument("--disable", action="store_true",
                            help="keep the scheduler away from this host")
        parser.add_argument("--disable-reason",
                            help="why (with --disable)")
        down = parser.add_mutually_exclusive_group()
        down.add_argument("--down", action="store_true",
                          help="force the service down (fencing)")
        down.add_argument("--up", action="store_true",
                          help="clear forced down")
        return parser

    @errors.translated
    def take_action(self, args):
        if not (args.enable or args.disable or args.down or args.up):
            raise errors.CommandError(
                "Nothing to set: give --enable, --disable, --down or --up.")
        if args.disable_reason and not args.disable:
            raise errors.CommandError("--disable-reason needs --disable.")
        conn = self.app.connection
        ident = {"host": args.host, "binary": args.service}
        if args.enable:
            rest.call(conn, "PUT", "/os-services/enable", ident)
        if args.disable and args.disable_reason:
            rest.call(conn, "PUT", "/os-services/disable-log-reason",
                      ident | {"disabled_reason": args.disable_reason})
        elif args.disable:
            rest.call(conn, "PUT", "/os-services/disable", ident)
        if args.down or args.up:
            rest.call(conn, "PUT", "/os-services/force-down",
                      ident | {"forced_down": bool(args.down)})


class DeleteService(base.Command):
    """Delete service records (admin; e.g. a retired compute host)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("ids", nargs="+", help="service IDs")
        return parser

    @errors.translated
    def take_action(self, args):
        for ident in args.ids:
            rest.call(self.app.connection, "DELETE", f"/os-services/{ident}")
