"""/os-aggregates: host aggregates, their hosts and metadata (admin)."""

import pecan

from nimbus.api.openstack import common, schemas
from nimbus.core import exception


def _admin_context(op):
    common.authorize("os_compute_api:os-aggregates:" + op)
    return common.context()


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def _admin():
    return common.services().admin


def view(agg):
    body = {"id": agg.id, "name": agg.name,
            "availability_zone": agg.availability_zone,
            "hosts": list(agg.hosts), "metadata": dict(agg.metadata),
            "created_at": _time(agg.created_at),
            "updated_at": _time(agg.updated_at),
            "deleted_at": _time(agg.deleted_at),
            "deleted": agg.deleted}
    if common.at_least(41):
        body["uuid"] = agg.uuid
    return body


def _reply(agg):
    return common.reply({"aggregate": view(agg)})


class AggregateActionController:
    """/os-aggregates/{id}/action: add_host, remove_host, set_metadata."""

    def __init__(self, aggregate_id):
        self.aggregate_id = aggregate_id

    @pecan.expose("json")
    def index(self):
        common.allow("POST")
        data = common.body(schemas.AGGREGATE_ACTION)
        (name, args), = data.items()
        ctx = _admin_context(name)
        if name == "add_host":
            agg = _admin().add_aggregate_host(ctx, self.aggregate_id,
                                              args["host"])
        elif name == "remove_host":
            agg = _admin().remove_aggregate_host(ctx, self.aggregate_id,
                                                 args["host"])
        else:
            agg = _admin().set_aggregate_metadata(ctx, self.aggregate_id,
                                                  args["metadata"])
        return _reply(agg)


class AggregateImagesController:
    """/os-aggregates/{id}/images (2.81): the aggregate's hosts copy the
    images into their image caches before any guest needs them."""

    def __init__(self, aggregate_id):
        self.aggregate_id = aggregate_id

    @pecan.expose("json")
    def index(self):
        common.allow("POST")
        if not common.at_least(81):
            raise exception.NotFound()
        data = common.body(schemas.AGGREGATE_IMAGES)
        common.authorize("compute:aggregates:images")
        if not str(self.aggregate_id).isdigit():
            raise exception.Invalid(reason="id must be an integer")
        common.services().compute.cache_images(
            common.context(), self.aggregate_id,
            [image["id"] for image in data["cache"]])
        return common.reply(None, 202)


class AggregateController:
    """/os-aggregates/{id}: show, update, delete."""

    def __init__(self, aggregate_id):
        self.aggregate_id = aggregate_id
        self.action = AggregateActionController(aggregate_id)
        self.images = AggregateImagesController(aggregate_id)

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        return _reply(_admin().get_aggregate(_admin_context("show"),
                                             self.aggregate_id))

    @index.when(method="PUT", template="json")
    def update(self):
        ctx = _admin_context("update")
        data = common.body(schemas.AGGREGATE_UPDATE)["aggregate"]
        return _reply(_admin().update_aggregate(ctx, self.aggregate_id,
                                                data))

    @index.when(method="DELETE", template="json")
    def delete(self):
        _admin().delete_aggregate(_admin_context("delete"),
                                  self.aggregate_id)
        return common.reply(None, 200)


class AggregatesController:
    """/os-aggregates: list and create."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        aggs = _admin().list_aggregates(_admin_context("index"))
        return common.reply({"aggregates": [view(a) for a in aggs]})

    @index.when(method="POST", template="json")
    def create(self):
        ctx = _admin_context("create")
        data = common.body(schemas.AGGREGATE_CREATE)["aggregate"]
        agg = _admin().create_aggregate(ctx, data["name"],
                                        data.get("availability_zone"))
        # Nova's create answer has no hosts nor metadata (still empty)
        body = view(agg)
        del body["hosts"], body["metadata"]
        return common.reply({"aggregate": body})

    @pecan.expose("json")
    def _lookup(self, aggregate_id, *remainder):
        return AggregateController(aggregate_id), remainder
