"""``GET /os-availability-zone`` and its ``/detail`` (hosts and their
services, for admins)."""

from nimbus.api.openstack.responses import types as t

_SERVICE = t.obj({"active": t.BOOLEAN, "available": t.BOOLEAN,
                  "updated_at": t.NULLABLE_DATE_TIME},
                 required=("active", "available", "updated_at"))
_HOSTS = {"type": ["object", "null"], "additionalProperties": False,
          "patternProperties": {"^.+$": {
              "type": "object", "additionalProperties": False,
              "patternProperties": {"^.+$": _SERVICE}}}}


def _zones(hosts):
    zone = t.obj({"zoneName": t.STRING,
                  "zoneState": t.obj({"available": t.BOOLEAN},
                                     required=("available",)),
                  "hosts": hosts},
                 required=("zoneName", "zoneState", "hosts"))
    return t.obj({"availabilityZoneInfo": t.array(zone)},
                 required=("availabilityZoneInfo",))


SCHEMAS = {
    ("GET", "/os-availability-zone"): [(1, None, _zones({"type": "null"}))],
    ("GET", "/os-availability-zone/detail"): [(1, None, _zones(_HOSTS))],
}
