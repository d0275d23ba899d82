"""/os-availability-zone and /detail."""

import pecan

from nimbus.api.openstack import common

AZ = "os_compute_api:os-availability-zone:%s"


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def _zones(detailed):
    common.authorize(AZ % ("detail" if detailed else "list"))
    ctx = common.context()
    zones = common.services().admin.availability_zones(ctx.elevated())
    info = []
    for name, zone in sorted(zones.items()):
        hosts = None
        if detailed:
            hosts = {host: {"nova-compute": {
                "available": state["available"], "active": state["active"],
                "updated_at": _time(state["updated_at"])}}
                for host, state in zone["hosts"].items()}
        info.append({"zoneName": name,
                     "zoneState": {"available": zone["available"]},
                     "hosts": hosts})
    return common.reply({"availabilityZoneInfo": info})


class AvailabilityZonesController:
    """/os-availability-zone (anyone) and /detail (admin)."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return _zones(detailed=False)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return _zones(detailed=True)
