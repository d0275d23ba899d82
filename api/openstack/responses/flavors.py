"""Flavor bodies: list, detailed list, show, create and update.

``description`` from 2.55 (and ``PUT /flavors/{id}``), ``extra_specs``
from 2.61 (for callers the policy lets read them); 2.75 makes ``swap``
always an integer (0 for none).
"""

from nimbus.api.openstack.responses import types as t

#: the last version whose detailed bodies may show swap as "" (2.75:
#: an integer).
LAST = 74

_LINKS = t.array(t.obj({"href": t.STRING, "rel": t.STRING},
                       required=("href", "rel")))
_BASIC = t.obj({"id": t.STRING, "name": t.STRING, "links": _LINKS},
               required=("id", "name", "links"))
_FLAVOR = t.obj({
    "id": t.STRING, "name": t.STRING, "links": _LINKS,
    "ram": t.INTEGER, "vcpus": t.INTEGER, "disk": t.INTEGER,
    "OS-FLV-EXT-DATA:ephemeral": t.INTEGER,
    # "" when the flavor has no swap (until 2.75)
    "swap": {"anyOf": [{"type": "integer"}, {"const": ""}]},
    "rxtx_factor": {"type": "number"},
    "os-flavor-access:is_public": t.BOOLEAN,
    "OS-FLV-DISABLED:disabled": t.BOOLEAN,
}, required=("id", "name", "links", "ram", "vcpus", "disk",
             "OS-FLV-EXT-DATA:ephemeral", "swap", "rxtx_factor",
             "os-flavor-access:is_public", "OS-FLV-DISABLED:disabled"))
_DESCRIPTION = {"description": t.NULLABLE_STRING}
_EXTRA_SPECS = {"extra_specs": {
    "type": "object", "additionalProperties": False,
    "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {
        "type": "string", "maxLength": 255}}}}


def flavor(minor, detailed=True):
    body = _FLAVOR if detailed else _BASIC
    if minor >= 55:
        body = t.evolve(body, add=_DESCRIPTION, require=["description"])
    if minor >= 61 and detailed:
        body = t.evolve(body, add=_EXTRA_SPECS)
    if minor >= 75 and detailed:
        body = t.evolve(body, add={"swap": t.INTEGER})
    return body


def _one(minor):
    return t.obj({"flavor": flavor(minor)}, required=("flavor",))


def _list(minor, detailed):
    return t.obj({"flavors": t.array(flavor(minor, detailed)),
                  "flavors_links": _LINKS}, required=("flavors",))


_SINGLE = [(1, 54, _one(1)), (55, 60, _one(55)), (61, LAST, _one(61)),
           (LAST + 1, None, _one(LAST + 1))]

SCHEMAS = {
    ("GET", "/flavors"): [(1, 54, _list(1, False)),
                          (55, None, _list(55, False))],
    ("GET", "/flavors/detail"): [(1, 54, _list(1, True)),
                                 (55, 60, _list(55, True)),
                                 (61, LAST, _list(61, True)),
                                 (LAST + 1, None, _list(LAST + 1, True))],
    ("GET", "/flavors/{flavor_id}"): _SINGLE,
    ("POST", "/flavors"): _SINGLE,
    ("PUT", "/flavors/{flavor_id}"): _SINGLE[1:],
}
