"""``nimbus availability zone list``."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


class ListAvailabilityZone(base.Lister):
    """List availability zones (--long: their hosts and services, admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--long", action="store_true",
                            help="hosts and services of each zone (admin)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        if not args.long:
            zones = rest.get(conn, "/os-availability-zone")[
                "availabilityZoneInfo"]
            return (("Zone Name", "Zone Status"),
                    [(z["zoneName"], "available" if z["zoneState"][
                        "available"] else "not available") for z in zones])
        zones = rest.get(conn, "/os-availability-zone/detail")[
            "availabilityZoneInfo"]
        rows = []
        for zone in zones:
            status = "available" if zone["zoneState"]["available"] \
                else "not available"
            for host, services in sorted((zone.get("hosts") or {}).items()):
                for binary, state in sorted(services.items()):
                    rows.append((zone["zoneName"], status, host, binary,
                                 "enabled" if state.get("active")
                                 else "disabled",
                                 ":-)" if state.get("available") else "XXX",
                                 state.get("updated_at") or ""))
            if not zone.get("hosts"):
                rows.append((zone["zoneName"], status, "", "", "", "", ""))
        return (("Zone Name", "Zone Status", "Host Name", "Service Name",
                 "Service Status", "State", "Updated At"), rows)
