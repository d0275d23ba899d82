"""/os-quota-sets/{project_id}[/detail|/defaults] and /limits."""

import pecan

from nimbus.api.openstack import common, schemas_tenant
from nimbus.core import exception, quota

Q = "os_compute_api:os-quota-sets:%s"
_TRUE = (True, "True", "true")


def _body(project_id, limits):
    body = {"id": project_id}
    for key in schemas_tenant.QUOTA_KEYS:
        body[key] = limits.get(key, -1)
    # Nova's 2.1 body carries the proxy and file quotas too.
    body.setdefault("injected_files", 5)
    return body


class QuotaSetController:
    """/os-quota-sets/{project_id}."""

    def __init__(self, project_id):
        self.project_id = project_id

    def _authorize(self, rule):
        common.authorize(Q % rule, {"project_id": self.project_id})

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        self._authorize("show")
        limits = common.services().quotas.show(common.context(),
                                               self.project_id)
        return common.reply({"quota_set": _body(self.project_id, limits)})

    @index.when(method="PUT", template="json")
    def put(self):
        data = common.body(schemas_tenant.QUOTA_UPDATE)["quota_set"]
        self._authorize("update")
        force = data.pop("force", False) in _TRUE
        ours = {k: int(v) for k, v in data.items()
                if k in quota.RESOURCES}
        limits = common.services().quotas.update(
            common.context(), self.project_id, ours, force=force)
        body = _body(self.project_id, limits)
        body.pop("id")
        return common.reply({"quota_set": body})

    @index.when(method="DELETE", template="json")
    def delete(self):
        self._authorize("delete")
        common.services().quotas.delete(common.context(), self.project_id)
        return common.reply(None, 202)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        self._authorize("show")
        detail = common.services().quotas.detail(common.context(),
                                                 self.project_id)
        body = {"id": self.project_id}
        for key in schemas_tenant.QUOTA_KEYS:
            body[key] = detail.get(key, {"limit": -1, "in_use": 0,
                                         "reserved": 0})
        return common.reply({"quota_set": body})

    @pecan.expose("json")
    def defaults(self):
        common.allow("GET")
        self._authorize("defaults")
        limits = common.services().quotas.defaults(common.context())
        return common.reply({"quota_set": _body(self.project_id, limits)})


class QuotaSetsController:
    """/os-quota-sets."""

    @pecan.expose("json")
    def index(self):
        raise exception.NotFound()

    @pecan.expose("json")
    def _lookup(self, project_id, *remainder):
        return QuotaSetController(project_id), remainder


class LimitsController:
    """/limits: absolute limits and usage of the caller's project."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        ctx = common.context()
        common.authorize("os_compute_api:limits")
        project_id = pecan.request.GET.get("tenant_id") or ctx.project_id
        if project_id != ctx.project_id:
            common.authorize("os_compute_api:limits:other_project",
                             {"project_id": project_id})
        absolute = common.services().quotas.absolute_limits(ctx,
                                                            project_id)
        return common.reply({"limits": {"rate": [],
                                        "absolute": absolute}})
