"""/flavors: list, detail, show; admin create, delete and (2.55)
update of the description."""

import pecan
from oslo_utils import strutils

from nimbus.api.openstack import common, schemas
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.api.openstack.controllers import flavor_extras
from nimbus.api.openstack.views import flavors as view
from nimbus.core import exception

P = "os_compute_api:flavors:%s"
M = "os_compute_api:os-flavor-manage:%s"

_PUBLIC = {"true": True, "t": True, "yes": True, "1": True,
           "false": False, "f": False, "no": False, "0": False,
           "none": None}


def _is_public(ctx):
    raw = pecan.request.GET.get("is_public")
    if raw is None:
        return True
    value = _PUBLIC.get(raw.lower())
    if value is None and raw.lower() != "none":
        raise exception.Invalid(reason=f"Invalid is_public filter [{raw}]")
    return value if ctx.is_admin else True


def _list(detailed):
    common.strict_query(strict.FLAVORS)
    common.authorize(P % "index")
    ctx = common.context()
    limit = common.limit_param()
    flavors = common.services().admin.list_flavors(
        ctx, is_public=_is_public(ctx),
        min_ram=common.int_param("minRam"),
        min_disk=common.int_param("minDisk"), limit=limit,
        marker=pecan.request.GET.get("marker"))
    if detailed:
        specs = view.extra_specs_shown()
        items = [view.detail(f, specs) for f in flavors]
    else:
        items = [view.basic(f) for f in flavors]
    body = {"flavors": items}
    links = common.next_link("flavors/detail" if detailed else "flavors",
                             items, limit)
    if links:
        body["flavors_links"] = links
    return common.reply(body)


class FlavorController:
    """/flavors/{id} and its sub-resources."""

    def __init__(self, flavor_id):
        self.flavor_id = flavor_id
        setattr(self, "os-extra_specs",
                flavor_extras.ExtraSpecsController(flavor_id))
        setattr(self, "os-flavor-access",
                flavor_extras.FlavorAccessController(flavor_id))
        self.action = flavor_extras.FlavorActionController(flavor_id)

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        common.authorize(P % "show")
        flavor = common.services().admin.get_flavor(common.context(),
                                                    self.flavor_id)
        return common.reply({"flavor": view.detail(
            flavor, view.extra_specs_shown())})

    @index.when(method="PUT", template="json")
    def update(self):
        """2.55: change the description (nothing else can change); no
        such route below, as in Nova."""
        if not common.at_least(55):
            raise exception.NotFound()
        data = common.body(schemas.FLAVOR_UPDATE)["flavor"]
        common.authorize(M % "update")
        flavor = common.services().admin.update_flavor_description(
            common.context(), self.flavor_id, data["description"])
        return common.reply({"flavor": view.detail(
            flavor, view.extra_specs_shown())})

    @index.when(method="DELETE", template="json")
    def delete(self):
        ctx = common.context()
        common.authorize(M % "delete")
        common.services().admin.delete_flavor(ctx, self.flavor_id)
        return common.reply(None, 202)


class FlavorsController:
    """/flavors and /flavors/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        data = common.body(schemas.flavor_create(common.at_least))["flavor"]
        ctx = common.context()
        common.authorize(M % "create")
        flavor = common.services().admin.create_flavor(
            ctx, name=data["name"], vcpus=int(data["vcpus"]),
            memory_mb=int(data["ram"]), root_gb=int(data["disk"]),
            flavorid=data.get("id"),
            ephemeral_gb=int(data.get("OS-FLV-EXT-DATA:ephemeral") or 0),
            swap=int(data.get("swap") or 0),
            rxtx_factor=float(data.get("rxtx_factor") or 1.0),
            is_public=strutils.bool_from_string(
                data.get("os-flavor-access:is_public", True), strict=True),
            description=data.get("description"))
        return common.reply({"flavor": view.detail(
            flavor, view.extra_specs_shown())})

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return _list(detailed=True)

    @pecan.expose("json")
    def _lookup(self, flavor_id, *remainder):
        return FlavorController(flavor_id), remainder
