"""/volume/v3/os-quota-sets/{project_id}: a project's block storage
quotas (Cinder's quota sets over nimbus's one quota record, which the
compute API's quota sets share).

* ``GET`` (``?usage=True`` for in-use counts): what ``openstack quota
  show`` asks once the catalog has block-storage;
* ``PUT`` (administrators): what ``openstack quota set --volumes
  --gigabytes --snapshots`` sends; a limit below current usage is 400,
  as Cinder answers;
* ``DELETE`` (administrators): the volume quotas back to the defaults;
* ``GET .../defaults``: the configured defaults.
"""

import pecan

from nimbus.api import http
from nimbus.core import exception

#: Cinder's quota keys nimbus enforces, and their nimbus names.
_KEYS = {"volumes": "volumes", "gigabytes": "gigabytes",
         "snapshots": "snapshots"}
#: Cinder's keys nimbus has no such thing for: unlimited/none.
_FIXED = {"per_volume_gigabytes": -1, "backups": 0, "backup_gigabytes": 0,
          "groups": 0}

QUOTA_UPDATE = {
    "type": "object", "required": ["quota_set"],
    "properties": {"quota_set": {
        "type": "object",
        "additionalProperties": {"oneOf": [
            {"type": "integer", "minimum": -1, "maximum": 2147483647},
            {"type": "string", "pattern": "^-?[0-9]{1,10}$"},
            {"type": "null"}]},
    }},
}


def _body(project_id, limits):
    body = {key: limits[name] for key, name in _KEYS.items()}
    body.update(_FIXED)
    body["id"] = project_id
    return {"quota_set": body}


def _values(data):
    """The nimbus limits a PUT body sets.

    :raises Invalid: a key nimbus has no quota for (Cinder: 400 "Bad
        key(s)"), or a value for a fixed one that is not its value.
    """
    values, bad = {}, []
    for key, value in data.items():
        if value is None or key in ("id", "tenant_id", "project_id"):
            continue
        value = int(value)
        if key in _KEYS:
            values[_KEYS[key]] = value
        elif key in _FIXED and value == _FIXED[key]:
            continue
        else:
            bad.append(key)
    if bad:
        raise exception.Invalid(
            reason=f"Bad key(s) in quota set: {', '.join(sorted(bad))} "
                   f"(nimbus has volume quotas for "
                   f"{', '.join(sorted(_KEYS))})")
    return values


class DefaultsController:
    """GET /volume/v3/os-quota-sets/{project_id}/defaults."""

    def __init__(self, project_id):
        self.project_id = project_id

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        http.authorize("volume_extension:quotas:show_defaults")
        return http.reply(_body(self.project_id, http.services().quotas
                                .defaults(http.context())))


class QuotaSetController:
    """/volume/v3/os-quota-sets/{project_id}[?usage=True]."""

    def __init__(self, project_id):
        self.project_id = project_id
        self.defaults = DefaultsController(project_id)

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        project_id = self.project_id
        ctx = http.context()
        http.authorize("volume_extension:quotas:show",
                       {"project_id": project_id})
        quotas = http.services().quotas
        usage = pecan.request.GET.get("usage", "").lower() in ("true", "1")
        if usage:
            detail = quotas.detail(ctx, project_id)
            body = {key: detail[name] for key, name in _KEYS.items()}
            body.update({k: {"limit": v, "in_use": 0, "reserved": 0,
                             "allocated": 0} for k, v in _FIXED.items()})
            body["id"] = project_id
            return http.reply({"quota_set": body})
        return http.reply(_body(project_id, quotas.show(ctx, project_id)))

    @index.when(method="PUT", template="json")
    def update(self):
        data = http.body(QUOTA_UPDATE)["quota_set"]
        http.authorize("volume_extension:quotas:update",
                       {"project_id": self.project_id})
        values = _values(data)
        quotas = http.services().quotas
        if values:
            limits = quotas.update(http.context(), self.project_id, values)
        else:
            limits = quotas.show(http.context(), self.project_id)
        return http.reply(_body(self.project_id, limits))

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize("volume_extension:quotas:delete",
                       {"project_id": self.project_id})
        http.services().quotas.delete(http.context(), self.project_id,
                                      resources=list(_KEYS.values()))
        return http.reply(None, 200)


class QuotaSetsController:
    """/volume/v3/os-quota-sets: one project's set per id."""

    @pecan.expose("json")
    def _lookup(self, project_id, *remainder):
        if remainder and remainder != ("defaults",):
            pecan.abort(404)
        return QuotaSetController(project_id), remainder
