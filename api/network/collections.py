"""The generic collection and member controllers of ``/network/v2.0``.

Each collection is a :class:`Resource` (what to call on the service API
and how to render it); the controllers here do what every Neutron
collection does the same way: the list query language
(:mod:`nimbus.api.network.query`), ``fields`` on show, policy per item
and per route, 404 for what the caller may not see, and the status codes
(create 201, update 200, delete 204).
"""

import pecan

from nimbus.api import http
from nimbus.api.network import query
from nimbus.core import exception

N = "network:%s"


def bad(attribute, reason):
    return query.bad(attribute, reason)


class Resource:
    """One Neutron collection over the network service API.

    Subclasses set the names and schemas and implement the calls.
    ``singular`` names the JSON body key and the policy rules
    (``network:get_<singular>``, ...); ``path`` is the URL segment and
    ``plural`` the list body key.
    """

    singular = None
    plural = None
    path = None
    create_schema = None
    update_schema = None
    not_found = exception.NotFound
    #: the filters the service API applies itself (single-valued).
    service_filters = ()

    def api(self):
        return http.services().network

    def attributes(self):
        """Every attribute of a rendered item (the valid filters)."""
        return self.render(self.SAMPLE, everything=True).keys()

    def target(self, record):
        return {"project_id": record.get("project_id") or ""}

    def missing(self, ident):
        return self.not_found(**{self.id_kwarg: ident})

    # -- what subclasses implement ------------------------------------------

    def render(self, record, everything=False):
        raise NotImplementedError

    def fetch_all(self, ctx, filters):
        raise NotImplementedError

    def fetch(self, ctx, ident):
        raise NotImplementedError

    def create(self, ctx, attrs):
        """Only called when ``create_schema`` is set."""
        raise NotImplementedError

    def update(self, ctx, record, attrs):
        """Only called when ``update_schema`` is set."""
        raise NotImplementedError

    def delete(self, ctx, record):
        raise NotImplementedError


def _looks_like_id(ident):
    return 0 < len(ident) <= 64 and all(c.isalnum() or c == "-"
                                        for c in ident)


def visible(resource, ident):
    """The record ``ident`` if the caller may see it, else the
    resource's 404 (a name, another project's id, garbage alike)."""
    if not _looks_like_id(ident):
        raise resource.missing(ident)
    record = resource.fetch(http.context(), ident)
    if not http.may(N % f"get_{resource.singular}",
                    resource.target(record)):
        raise resource.missing(ident)
    return record


def collection_url(resource):
    return f"{http.base_url()}/network/v2.0/{resource.path}"


class MemberController:
    """``/network/v2.0/<collection>/<id>``: show, update, delete."""

    def __init__(self, resource, ident):
        self.resource = resource
        self.ident = ident

    @pecan.expose("json", generic=True)
    def index(self):
        methods = ["GET"]
        if self.resource.update_schema is not None:
            methods.append("PUT")
        methods.append("DELETE")
        http.allow(*methods)
        get = pecan.request.GET
        fields = [f for value in get.getall("fields")
                  for f in value.split(",") if f]
        item = self.resource.render(visible(self.resource, self.ident))
        if fields:
            item = {k: v for k, v in item.items() if k in fields}
        return http.reply({self.resource.singular: item})

    @index.when(method="PUT", template="json")
    def update(self):
        resource = self.resource
        if resource.update_schema is None:
            http.allow("GET", "DELETE")
        record = visible(resource, self.ident)
        http.authorize(N % f"update_{resource.singular}",
                       resource.target(record))
        attrs = http.body(resource.update_schema)[resource.singular]
        record = resource.update(http.context(), record, attrs)
        return http.reply({resource.singular: resource.render(record)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        resource = self.resource
        record = visible(resource, self.ident)
        http.authorize(N % f"delete_{resource.singular}",
                       resource.target(record))
        resource.delete(http.context(), record)
        return http.reply(None, 204)


class CollectionController:
    """``/network/v2.0/<collection>``: list (with Neutron's query
    language) and create."""

    def __init__(self, resource):
        self.resource = resource

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        resource = self.resource
        get = pecan.request.GET
        conf = pecan.request.context["conf"]
        q = query.ListQuery(get, resource.attributes(), conf.api.max_limit)
        ctx = http.context()
        records = resource.fetch_all(
            ctx, q.service_filters(resource.service_filters))
        rule = N % f"get_{resource.singular}"
        items = [resource.render(r) for r in records
                 if http.may(rule, resource.target(r))]
        page, more = q.apply(items)
        body = {resource.plural: [q.project(item) for item in page]}
        if more:
            body[resource.plural + "_links"] = [
                q.next_link(collection_url(resource), get, page[-1]["id"])]
        return http.reply(body)

    @index.when(method="POST", template="json")
    def create(self):
        resource = self.resource
        if resource.create_schema is None:
            http.allow("GET")
        data = http.read_json(pecan.request)
        if isinstance(data, dict) and resource.plural in data:
            raise bad(resource.plural, "bulk create is not supported; "
                      f"send one '{resource.singular}'")
        attrs = http.validate(data, resource.create_schema)[
            resource.singular]
        ctx = http.context()
        project = owner(ctx, attrs)
        http.authorize(N % f"create_{resource.singular}",
                       {"project_id": project})
        record = resource.create(ctx, dict(attrs, project_id=project))
        return http.reply({resource.singular: resource.render(record)},
                          201)

    @pecan.expose("json")
    def _lookup(self, ident, *remainder):
        if remainder:
            pecan.abort(404)
        return MemberController(self.resource, ident), ()


def owner(ctx, attrs):
    """The project a new resource belongs to: ``project_id`` (or its
    old name ``tenant_id``) when given, else the caller's."""
    project, tenant = attrs.pop("project_id", None), attrs.pop("tenant_id",
                                                               None)
    if project and tenant and project != tenant:
        raise bad("project_id", "project_id and tenant_id differ")
    return project or tenant or ctx.project_id
