"""``/os-aggregates``: list, create, show, update and the actions
(add_host, remove_host, set_metadata). ``uuid`` from 2.41."""

from nimbus.api.openstack.responses import types as t

A = "/os-aggregates/{aggregate_id}"

_AGGREGATE = t.obj({
    "id": t.INTEGER, "name": t.STRING,
    "availability_zone": t.NULLABLE_STRING,
    "hosts": {"type": ["array", "null"], "items": t.STRING},
    "metadata": {"type": ["object", "null"],
                 "additionalProperties": t.NULLABLE_STRING},
    "created_at": t.DATE_TIME, "updated_at": t.NULLABLE_DATE_TIME,
    "deleted_at": t.NULLABLE_DATE_TIME, "deleted": t.BOOLEAN,
}, required=("id", "name", "availability_zone", "hosts", "metadata",
             "created_at", "updated_at", "deleted_at", "deleted"))


def aggregate(minor, created=False):
    body = _AGGREGATE
    if created:
        body = t.evolve(body, drop=("hosts", "metadata"))
    if minor >= 41:
        body = t.evolve(body, add={"uuid": t.STRING}, require=["uuid"])
    return body


def _one(minor, created=False):
    return t.obj({"aggregate": aggregate(minor, created)},
                 required=("aggregate",))


def _list(minor):
    return t.obj({"aggregates": t.array(aggregate(minor))},
                 required=("aggregates",))


_ONE = [(1, 40, _one(1)), (41, None, _one(41))]

SCHEMAS = {
    ("GET", "/os-aggregates"): [(1, 40, _list(1)), (41, None, _list(41))],
    ("POST", "/os-aggregates"): [(1, 40, _one(1, True)),
                                 (41, None, _one(41, True))],
    ("GET", A): _ONE,
    ("PUT", A): _ONE,
    ("POST", A + "/action"): _ONE,
}
