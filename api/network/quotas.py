"""``/network/v2.0/quotas/{project_id}`` (``/details``, ``/default``):
a project's network quotas in Neutron's names, over the quota machinery
every dialect shares (:class:`nimbus.core.quota_api.QuotaAPI`).

``openstack quota show`` asks here whenever the catalog has a network
endpoint. A network has exactly one subnet, so ``subnet`` reports the
``network`` limit and usage and cannot be set on its own.
"""

import pecan

from nimbus.api import http
from nimbus.api.network import schemas
from nimbus.api.network.collections import bad

#: Neutron's quota names nimbus counts.
NAMES = ("network", "port", "floatingip", "security_group",
         "security_group_rule")


def _neutron(values):
    """``{resource: value}`` in Neutron's names (``subnet`` mirrors
    ``network``)."""
    body = {name: values[name] for name in NAMES if name in values}
    if "network" in body:
        body["subnet"] = body["network"]
    return body


class QuotaController:
    """One project's network quotas."""

    def __init__(self, project_id):
        self.project_id = project_id

    def _target(self):
        return {"project_id": self.project_id}

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        http.authorize("network:get_quota", self._target())
        quotas = http.services().quotas
        return http.reply({"quota": _neutron(
            quotas.show(http.context(), self.project_id))})

    @index.when(method="PUT", template="json")
    def update(self):
        http.authorize("network:update_quota", self._target())
        values = http.body(schemas.QUOTA_UPDATE)["quota"]
        # Neutron's quota-check-limit: refuse a limit below usage.
        check = values.pop("check_limit", False)
        if "subnet" in values:
            if "network" in values and values["network"] != \
                    values["subnet"]:
                raise bad("subnet", "a network has one subnet: subnet "
                          "follows the network quota")
            values.setdefault("network", values.pop("subnet"))
        quotas = http.services().quotas
        known = quotas.defaults(http.context())
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise bad(unknown[0], "not a quota nimbus keeps")
        result = quotas.update(http.context(), self.project_id,
                               {k: int(v) for k, v in values.items()},
                               force=not check)
        return http.reply({"quota": _neutron(result)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize("network:delete_quota", self._target())
        http.services().quotas.delete(http.context(), self.project_id)
        return http.reply(None, 204)

    @pecan.expose("json")
    def details(self):
        http.allow("GET")
        http.authorize("network:get_quota", self._target())
        detail = http.services().quotas.detail(http.context(),
                                               self.project_id)
        return http.reply({"quota": _neutron({
            name: {"limit": value["limit"], "used": value["in_use"],
                   "reserved": 0}
            for name, value in detail.items()})})

    @pecan.expose("json")
    def default(self):
        http.allow("GET")
        http.authorize("network:get_quota", self._target())
        return http.reply({"quota": _neutron(
            http.services().quotas.defaults(http.context()))})


class QuotasController:
    """``/network/v2.0/quotas``."""

    @pecan.expose("json")
    def index(self):
        pecan.abort(404)

    @pecan.expose("json")
    def _lookup(self, project_id, *remainder):
        if len(remainder) > 1 or (remainder and remainder[0] not in
                                  ("details", "default")):
            pecan.abort(404)
        return QuotaController(project_id), remainder
