"""``/os-simple-tenant-usage``: every project's usage and one project's.
2.40 pages them (``tenant_usages_links``, ``tenant_usage_links``)."""

from nimbus.api.openstack.responses import types as t

U = "/os-simple-tenant-usage"

_NUMBER = {"type": "number", "minimum": 0}
_SERVER = t.obj({
    "instance_id": t.STRING, "name": t.STRING, "tenant_id": t.STRING,
    "flavor": t.STRING, "hours": {"type": "number"},
    "started_at": t.DATE_TIME, "ended_at": t.NULLABLE_DATE_TIME,
    "state": t.STRING, "uptime": {"type": "integer", "minimum": 0},
    # left out when the server's flavor is gone
    "local_gb": {"type": "integer", "minimum": 0},
    "memory_mb": {"type": "integer", "minimum": 0},
    "vcpus": {"type": "integer", "minimum": 0},
}, required=("instance_id", "name", "tenant_id", "flavor", "hours",
             "started_at", "ended_at", "state", "uptime"))
_USAGE = t.obj({
    "tenant_id": t.STRING, "start": t.DATE_TIME, "stop": t.DATE_TIME,
    "total_hours": _NUMBER, "total_local_gb_usage": _NUMBER,
    "total_memory_mb_usage": _NUMBER, "total_vcpus_usage": _NUMBER,
    # only when ``detailed`` was asked for (the list)
    "server_usages": t.array(_SERVER),
}, required=("tenant_id", "start", "stop", "total_hours",
             "total_local_gb_usage", "total_memory_mb_usage",
             "total_vcpus_usage"))
# a project without usage in the period: an empty object
_ONE = {"oneOf": [t.evolve(_USAGE, require=["server_usages"]), t.obj({})]}


def _index(minor):
    properties = {"tenant_usages": t.array(_USAGE)}
    if minor >= 40:
        properties["tenant_usages_links"] = t.COLLECTION_LINKS
    return t.obj(properties, required=("tenant_usages",))


def _show(minor):
    properties = {"tenant_usage": _ONE}
    if minor >= 40:
        properties["tenant_usage_links"] = t.COLLECTION_LINKS
    return t.obj(properties, required=("tenant_usage",))


SCHEMAS = {
    ("GET", U): [(1, 39, _index(1)), (40, None, _index(40))],
    ("GET", U + "/{project_id}"): [(1, 39, _show(1)), (40, None, _show(40))],
}
