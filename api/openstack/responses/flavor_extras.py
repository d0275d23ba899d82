"""A flavor's extra specs and who may use a private flavor. No
microversion changes these bodies."""

from nimbus.api.openstack.responses import types as t

F = "/flavors/{flavor_id}"

_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"


def _specs(value, **extra):
    return dict({"type": "object", "additionalProperties": False,
                 "patternProperties": {_KEY: value}}, **extra)


_STORED = {"type": "string", "maxLength": 255}
# create and update echo the request (a number stays a number)
_GIVEN = {"type": ["string", "number"]}
_ACCESS = t.obj({"flavor_access": t.array(t.obj(
    {"flavor_id": t.STRING, "tenant_id": t.STRING},
    required=("flavor_id", "tenant_id")))}, required=("flavor_access",))

SCHEMAS = {
    ("GET", F + "/os-extra_specs"): [(1, None, t.obj(
        {"extra_specs": _specs(_STORED)}, required=("extra_specs",)))],
    ("POST", F + "/os-extra_specs"): [(1, None, t.obj(
        {"extra_specs": _specs(_GIVEN)}, required=("extra_specs",)))],
    ("GET", F + "/os-extra_specs/{key}"): [
        (1, None, _specs(_STORED, minProperties=1, maxProperties=1))],
    ("PUT", F + "/os-extra_specs/{key}"): [
        (1, None, _specs(_GIVEN, minProperties=1, maxProperties=1))],
    ("GET", F + "/os-flavor-access"): [(1, None, _ACCESS)],
    ("POST", F + "/action"): [(1, None, _ACCESS)],
}
