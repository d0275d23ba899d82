"""/flavors/{id}/os-extra_specs, /os-flavor-access and /action."""

import pecan

from nimbus.api.openstack import common, schemas_tenant
from nimbus.core import exception

E = "os_compute_api:os-flavor-extra-specs:%s"
A = "os_compute_api:os-flavor-access"


def _specs(values):
    return {k: str(v) if not isinstance(v, bool) else str(v).lower()
            for k, v in values.items()}


class ExtraSpecController:
    """/flavors/{id}/os-extra_specs/{key}."""

    def __init__(self, flavor_id, key):
        self.flavor_id = flavor_id
        self.key = key

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        common.authorize(E % "show")
        flavor = common.services().admin.get_flavor(common.context(),
                                                    self.flavor_id)
        if self.key not in flavor.extra_specs:
            raise exception.NotFound(
                message=f"Flavor {self.flavor_id} has no extra specs with "
                        f"key {self.key}.")
        return common.reply({self.key: flavor.extra_specs[self.key]})

    @index.when(method="PUT", template="json")
    def put(self):
        data = common.body(schemas_tenant.EXTRA_SPEC_ITEM)
        common.authorize(E % "update")
        if self.key not in data:
            raise exception.Invalid(reason="Request body and URI mismatch")
        specs = _specs(data)
        # 2.86: the keys of namespaces plugins declare are validated.
        common.services().admin.set_flavor_extra_specs(
            common.context(), self.flavor_id, specs,
            validate=common.at_least(86))
        return common.reply(specs)

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.authorize(E % "delete")
        common.services().admin.delete_flavor_extra_spec(
            common.context(), self.flavor_id, self.key)
        return common.reply(None, 200)


class ExtraSpecsController:
    """/flavors/{id}/os-extra_specs."""

    def __init__(self, flavor_id):
        self.flavor_id = flavor_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        common.authorize(E % "index")
        flavor = common.services().admin.get_flavor(common.context(),
                                                    self.flavor_id)
        return common.reply({"extra_specs": dict(flavor.extra_specs)})

    @index.when(method="POST", template="json")
    def post(self):
        data = common.body(schemas_tenant.EXTRA_SPECS)["extra_specs"]
        common.authorize(E % "create")
        specs = _specs(data)
        # 2.86: the keys of namespaces plugins declare are validated.
        common.services().admin.set_flavor_extra_specs(
            common.context(), self.flavor_id, specs,
            validate=common.at_least(86))
        return common.reply({"extra_specs": specs})

    @pecan.expose("json")
    def _lookup(self, key, *remainder):
        if remainder:
            raise exception.NotFound()
        return ExtraSpecController(self.flavor_id, key), remainder


def access_body(flavor_id, projects):
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p}
                              for p in projects]}


class FlavorAccessController:
    """/flavors/{id}/os-flavor-access."""

    def __init__(self, flavor_id):
        self.flavor_id = flavor_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.authorize(A)
        projects = common.services().admin.flavor_access(
            common.context(), self.flavor_id)
        return common.reply(access_body(self.flavor_id, projects))


class FlavorActionController:
    """POST /flavors/{id}/action: add/removeTenantAccess."""

    def __init__(self, flavor_id):
        self.flavor_id = flavor_id

    @pecan.expose("json", generic=True)
    def index(self):
        pecan.abort(405, headers={"Allow": "POST"})

    @index.when(method="POST", template="json")
    def post(self):
        data = common.body(schemas_tenant.FLAVOR_ACTION)
        (name, args), = data.items()
        admin = common.services().admin
        ctx = common.context()
        if name == "addTenantAccess":
            common.authorize(A + ":add_tenant_access")
            projects = admin.add_flavor_access(
                ctx, self.flavor_id, args["tenant"],
                refuse_public=common.at_least(7))
        else:
            common.authorize(A + ":remove_tenant_access")
            projects = admin.remove_flavor_access(ctx, self.flavor_id,
                                                  args["tenant"])
        return common.reply(access_body(self.flavor_id, projects))
