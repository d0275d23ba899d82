"""JSON schemas of the 2.53 forms of os-services and os-hypervisors:
a service's update body, and the query strings of the hypervisor list
and show (each parameter a list of its values, as Nova reads a query)."""

from nimbus.api.openstack import schemas


def single(schema):
    """A query parameter given at most once."""
    return {"type": "array", "items": schema, "maxItems": 1}


#: PUT /os-services/{service_id} from 2.53: nothing is required (the
#: service is the path's); "neither status nor forced_down" and
#: "disabled_reason while enabling" are 400s the controller raises.
SERVICE_UPDATE_V253 = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "disabled_reason": {"type": "string", "minLength": 1,
                            "maxLength": 255},
        "forced_down": schemas.BOOLEAN,
    },
    "additionalProperties": False,
}

#: Nova's ``parameter_types.fqdn``.
_FQDN = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^[a-zA-Z0-9-._]*$"}
NON_NEGATIVE = {"type": ["integer", "string"], "pattern": "^[0-9]*$",
                 "minimum": 0, "minLength": 1}

#: GET /os-hypervisors and /detail from 2.53 (unknown parameters are a
#: 400 from this version on).
HYPERVISORS_QUERY_V253 = {
    "type": "object",
    "properties": {
        "limit": single(NON_NEGATIVE),
        "marker": single({"type": "string"}),
        "hypervisor_hostname_pattern": single(_FQDN),
        "with_servers": single(schemas.BOOLEAN),
    },
    "additionalProperties": False,
}

#: GET /os-hypervisors/{hypervisor_id} from 2.53.
HYPERVISOR_SHOW_QUERY_V253 = {
    "type": "object",
    "properties": {"with_servers": single(schemas.BOOLEAN)},
    "additionalProperties": False,
}
