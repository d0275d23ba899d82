"""JSON schemas of the paged, ``changes-since`` forms of the
os-instance-actions (2.58) and os-migrations (2.59) lists: their query
strings, each parameter a list of its values as Nova reads a query.
Unknown parameters are a 400 from these versions on; 2.66 adds
``changes-before``."""

from nimbus.api.openstack import schemas_admin

_single = schemas_admin.single
_MANY = {"type": "array", "items": {"type": "string"}}
_PAGING = {
    "limit": _single(schemas_admin.NON_NEGATIVE),
    "marker": _single({"type": "string"}),
    "changes-since": _single({"type": "string", "format": "date-time"}),
}

#: GET /servers/{server_id}/os-instance-actions from 2.58.
INSTANCE_ACTIONS_QUERY_V258 = {
    "type": "object",
    "properties": dict(_PAGING),
    "additionalProperties": False,
}

_BEFORE = {"changes-before": _single({"type": "string",
                                      "format": "date-time"})}
#: GET /servers/{server_id}/os-instance-actions from 2.66.
INSTANCE_ACTIONS_QUERY_V266 = dict(INSTANCE_ACTIONS_QUERY_V258, properties=dict(
    _PAGING, **_BEFORE))

#: GET /os-migrations from 2.59: 2.1's filters (which Nova's schema
#: names) and the paging ones.
MIGRATIONS_QUERY_V259 = {
    "type": "object",
    "properties": dict(_PAGING, **{
        name: _MANY for name in ("hidden", "host", "instance_uuid",
                                 "source_compute", "status",
                                 "migration_type")}),
    "additionalProperties": False,
}

#: GET /os-migrations from 2.66.
MIGRATIONS_QUERY_V266 = dict(MIGRATIONS_QUERY_V259, properties=dict(
    MIGRATIONS_QUERY_V259["properties"], **_BEFORE))

#: GET /os-migrations from 2.80: by the user or project that started them.
MIGRATIONS_QUERY_V280 = dict(MIGRATIONS_QUERY_V266, properties=dict(
    MIGRATIONS_QUERY_V266["properties"],
    user_id=_single({"type": "string"}),
    project_id=_single({"type": "string"})))
