"""``nimbus aggregate ...``: host aggregates (admin)."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


def _find(conn, name_or_id):
    return rest.find(conn, "aggregate", name_or_id, "/os-aggregates",
                     "aggregates")


def _details(agg):
    fields = {"id": agg["id"], "name": agg["name"],
              "availability_zone": agg.get("availability_zone") or "",
              "hosts": ", ".join(agg.get("hosts") or ()),
              "properties": rest.props(
                  {k: v for k, v in (agg.get("metadata") or {}).items()
                   if k != "availability_zone"}),
              "created_at": agg.get("created_at")}
    return tuple(fields), tuple(fields.values())


class _OneAggregate:
    def aggregate_parser(self, parser):
        parser.add_argument("aggregate", help="aggregate name or ID")
        return parser


def _action(conn, agg, body):
    return rest.call(conn, "POST", f"/os-aggregates/{agg['id']}/action",
                     body)["aggregate"]


class CreateAggregate(base.ShowOne):
    """Create an aggregate."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="aggregate name")
        parser.add_argument("--zone", help="availability zone it defines")
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE", help="metadata (repeat)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        body = {"name": args.name}
        if args.zone:
            body["availability_zone"] = args.zone
        agg = rest.call(conn, "POST", "/os-aggregates",
                        {"aggregate": body})["aggregate"]
        if args.property:
            agg = _action(conn, agg, {"set_metadata": {
                "metadata": rest.parse_props(args.property)}})
        return _details(agg)


class ListAggregate(base.Lister):
    """List aggregates."""

    @errors.translated
    def take_action(self, args):
        aggs = rest.get(self.app.connection, "/os-aggregates")["aggregates"]
        return (("ID", "Name", "Availability Zone", "Hosts"),
                [(a["id"], a["name"], a.get("availability_zone") or "",
                  ", ".join(a.get("hosts") or ())) for a in aggs])


class ShowAggregate(_OneAggregate, base.ShowOne):
    """Show an aggregate."""

    def get_parser(self, prog_name):
        return self.aggregate_parser(super().get_parser(prog_name))

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        agg = _find(conn, args.aggregate)
        return _details(rest.get(conn, f"/os-aggregates/{agg['id']}")[
            "aggregate"])


class DeleteAggregate(base.Command):
    """Delete aggregates (they must have no hosts)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("aggregates", nargs="+", help="names or IDs")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.aggregates:
            agg = _find(conn, name)
            rest.call(conn, "DELETE", f"/os-aggregates/{agg['id']}")


class SetAggregate(_OneAggregate, base.Command):
    """Rename an aggregate, change its zone or set properties."""

    def get_parser(self, prog_name):
        parser = self.aggregate_parser(super().get_parser(prog_name))
        parser.add_argument("--name", help="new name")
        parser.add_argument("--zone", help="new availability zone")
        parser.add_argument("--property", action="append", default=[],
                            metavar="KEY=VALUE", help="metadata (repeat)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if not (args.name or args.zone or args.property):
            raise errors.CommandError(
                "Nothing to set: give --name, --zone or --property.")
        agg = _find(conn, args.aggregate)
        update = {k: v for k, v in (("name", args.name),
                                    ("availability_zone", args.zone)) if v}
        if update:
            rest.call(conn, "PUT", f"/os-aggregates/{agg['id']}",
                      {"aggregate": update})
        if args.property:
            _action(conn, agg, {"set_metadata": {
                "metadata": rest.parse_props(args.property)}})


class UnsetAggregate(_OneAggregate, base.Command):
    """Remove properties from an aggregate."""

    def get_parser(self, prog_name):
        parser = self.aggregate_parser(super().get_parser(prog_name))
        parser.add_argument("--property", action="append", required=True,
                            metavar="KEY", help="metadata key (repeat)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        agg = _find(conn, args.aggregate)
        _action(conn, agg, {"set_metadata": {
            "metadata": {key: None for key in args.property}}})


class AddAggregateHost(_OneAggregate, base.ShowOne):
    """Add a compute host to an aggregate."""

    def get_parser(self, prog_name):
        parser = self.aggregate_parser(super().get_parser(prog_name))
        parser.add_argument("host", help="compute host name")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        return _details(_action(conn, _find(conn, args.aggregate),
                                {"add_host": {"host": args.host}}))


class RemoveAggregateHost(AddAggregateHost):
    """Remove a compute host from an aggregate."""

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        return _details(_action(conn, _find(conn, args.aggregate),
                                {"remove_host": {"host": args.host}}))
