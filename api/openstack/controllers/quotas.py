"""/os-quota-sets/{project_id}[/detail|/defaults], /os-quota-class-sets
and /limits."""

import pecan

from nimbus.api.openstack import common, schemas_tenant
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.core import exception, quota

Q = "os_compute_api:os-quota-sets:%s"
_TRUE = (True, "True", "true")
#: Nova's names of the network service's quotas (which use Neutron's).
_NETWORK_QUOTAS = {"floating_ips": "floatingip",
                   "security_groups": "security_group",
                   "security_group_rules": "security_group_rule"}
#: Quotas of the nova-network proxies, gone from quota sets at 2.36.
_PROXY_QUOTAS = ("fixed_ips", "floating_ips", "security_groups",
                 "security_group_rules", "networks")
#: Limits of the proxies, gone from /limits at 2.36.
_PROXY_LIMITS = ("maxSecurityGroups", "maxSecurityGroupRules",
                 "maxTotalFloatingIps", "totalSecurityGroupsUsed",
                 "totalFloatingIpsUsed")


#: Limits of file injection, gone from /limits at 2.57.
_FILE_LIMITS = ("maxPersonality", "maxPersonalitySize")


def _keys():
    """The quota set keys of the request's microversion: no proxy
    quotas from 2.36, no file injection quotas from 2.57 (Nova's)."""
    gone = (_PROXY_QUOTAS if common.at_least(36) else ()) + \
        (schemas_tenant.FILE_QUOTA_KEYS if common.at_least(57) else ())
    return [k for k in schemas_tenant.QUOTA_KEYS if k not in gone]


def _ours(key):
    return _NETWORK_QUOTAS.get(key, key)


def _body(project_id, limits):
    body = {"id": project_id}
    for key in _keys():
        body[key] = limits.get(_ours(key), -1)
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
        common.strict_query(strict.QUOTA_SET)
        self._authorize("show")
        limits = common.services().quotas.show(common.context(),
                                               self.project_id)
        return common.reply({"quota_set": _body(self.project_id, limits)})

    @index.when(method="PUT", template="json")
    def put(self):
        schema = schemas_tenant.quota_update(_keys()) \
            if common.at_least(57) else schemas_tenant.QUOTA_UPDATE
        common.strict_query(strict.QUOTA_SET)
        data = common.body(schema)["quota_set"]
        self._authorize("update")
        force = data.pop("force", False) in _TRUE
        ours = {_ours(k): int(v) for k, v in data.items()
                if _ours(k) in quota.RESOURCES}
        limits = common.services().quotas.update(
            common.context(), self.project_id, ours, force=force)
        body = _body(self.project_id, limits)
        body.pop("id")
        return common.reply({"quota_set": body})

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.strict_query(strict.QUOTA_SET)
        self._authorize("delete")
        common.services().quotas.delete(common.context(), self.project_id)
        return common.reply(None, 202)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        common.strict_query(strict.QUOTA_SET)
        self._authorize("show")
        detail = common.services().quotas.detail(common.context(),
                                                 self.project_id)
        body = {"id": self.project_id}
        for key in _keys():
            body[key] = detail.get(_ours(key), {"limit": -1, "in_use": 0,
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


def _class_keys():
    if common.at_least(57):
        return schemas_tenant.QUOTA_CLASS_KEYS_2_57
    if common.at_least(50):
        return schemas_tenant.QUOTA_CLASS_KEYS_2_50
    return schemas_tenant.QUOTA_CLASS_KEYS_2_1


def _class_body(limits):
    # Keys nimbus does not limit (file injection) read as Nova's
    # defaults would; the network ones as unlimited where not set.
    fixed = {"injected_files": 5, "injected_file_content_bytes": 10240,
             "injected_file_path_bytes": 255, "fixed_ips": -1}
    return {k: limits.get(_ours(k), fixed.get(k, -1))
            for k in _class_keys()}


class QuotaClassSetController:
    """/os-quota-class-sets/{id}: Nova's quota classes; ``default`` is
    what every project starts from."""

    def __init__(self, class_name):
        self.class_name = class_name

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT")
        common.authorize("os_compute_api:os-quota-class-sets:show")
        limits = common.services().quotas.show_class(common.context(),
                                                     self.class_name)
        body = dict(_class_body(limits), id=self.class_name)
        return common.reply({"quota_class_set": body})

    @index.when(method="PUT", template="json")
    def put(self):
        keys = _class_keys() if common.at_least(50) else \
            schemas_tenant.QUOTA_CLASS_UPDATE_KEYS_2_1
        data = common.body(schemas_tenant.quota_class_update(
            keys))["quota_class_set"]
        common.authorize("os_compute_api:os-quota-class-sets:update")
        ours = {_ours(k): int(v) for k, v in data.items()
                if _ours(k) in quota.RESOURCES}
        limits = common.services().quotas.update_class(
            common.context(), self.class_name, ours)
        return common.reply({"quota_class_set": _class_body(limits)})


class QuotaClassSetsController:
    """/os-quota-class-sets."""

    @pecan.expose("json")
    def index(self):
        raise exception.NotFound()

    @pecan.expose("json")
    def _lookup(self, class_name, *remainder):
        if remainder:
            raise exception.NotFound()
        return QuotaClassSetController(class_name), remainder


class LimitsController:
    """/limits: absolute limits and usage of the caller's project."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.strict_query(strict.LIMITS)
        ctx = common.context()
        common.authorize("os_compute_api:limits")
        project_id = pecan.request.GET.get("tenant_id") or ctx.project_id
        if project_id != ctx.project_id:
            common.authorize("os_compute_api:limits:other_project",
                             {"project_id": project_id})
        absolute = common.services().quotas.absolute_limits(ctx,
                                                            project_id)
        if common.at_least(36):
            for key in _PROXY_LIMITS:
                absolute.pop(key, None)
        if common.at_least(39):
            # 2.39: the image-metadata proxy's limit is gone (Nova's).
            absolute.pop("maxImageMeta", None)
        if common.at_least(57):
            for key in _FILE_LIMITS:
                absolute.pop(key, None)
        return common.reply({"limits": {"rate": [],
                                        "absolute": absolute}})
