"""``/os-services``: the list and the updates.

``forced_down`` from 2.11; 2.53 names services by UUID and replaces the
``enable``/``disable``/``disable-log-reason``/``force-down`` updates
with ``PUT /os-services/{service_id}``, which answers the whole service;
2.69 (down cells) lets Nova answer a service of a down cell with
less; nimbus has one cell, which answers whole or not at all, so from
2.69 its bodies are still 2.53's (the range of their own marks the
version).
"""

from nimbus.api.openstack.responses import types as t

LAST = 68

_SERVICE = t.obj({
    "id": t.INTEGER, "binary": t.STRING, "host": t.STRING, "zone": t.STRING,
    "status": {"enum": ["enabled", "disabled"]},
    "state": {"enum": ["up", "down"]},
    "updated_at": t.NULLABLE_DATE_TIME,
    "disabled_reason": t.NULLABLE_STRING,
}, required=("id", "binary", "host", "zone", "status", "state",
             "updated_at", "disabled_reason"))
_FORCED = {"forced_down": t.BOOLEAN}


def service(minor):
    body = _SERVICE
    if minor >= 11:
        body = t.evolve(body, add=_FORCED, require=["forced_down"])
    if minor >= 53:
        body = t.evolve(body, add={"id": t.STRING})
    return body


def _list(minor):
    return t.obj({"services": t.array(service(minor))},
                 required=("services",))


#: below 2.53: what the action changed, by action.
_CHANGED = t.obj({"service": {"oneOf": [
    t.obj({"binary": t.STRING, "host": t.STRING,
           "status": {"enum": ["enabled", "disabled"]},
           "disabled_reason": t.NULLABLE_STRING},
          required=("binary", "host", "status")),
    t.obj({"binary": t.STRING, "host": t.STRING, "forced_down": t.BOOLEAN},
          required=("binary", "host", "forced_down"))]}},
    required=("service",))

SCHEMAS = {
    ("GET", "/os-services"): [(1, 10, _list(1)), (11, 52, _list(11)),
                              (53, LAST, _list(53)),
                              (LAST + 1, None, _list(53))],
    ("PUT", "/os-services/disable"): [(1, 52, _CHANGED)],
    ("PUT", "/os-services/enable"): [(1, 52, _CHANGED)],
    ("PUT", "/os-services/disable-log-reason"): [(1, 52, _CHANGED)],
    ("PUT", "/os-services/force-down"): [(11, 52, _CHANGED)],
    ("PUT", "/os-services/{service_id}"): [
        (53, LAST, t.obj({"service": service(53)}, required=("service",))),
        (LAST + 1, None,
         t.obj({"service": service(53)}, required=("service",)))],
}
