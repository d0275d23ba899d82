"""/os-simple-tenant-usage[/{project_id}]: what projects ran over a
period (``openstack usage list/show``)."""

import datetime

import pecan
from oslo_utils import timeutils

from nimbus.api.openstack import common
from nimbus.core import exception

U = "os_compute_api:os-simple-tenant-usage:%s"
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
            "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _parse(name):
    """A naive UTC datetime from query parameter ``name`` (default now)."""
    value = pecan.request.GET.get(name)
    if value is None:
        return timeutils.utcnow().replace(tzinfo=None)
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        parsed = timeutils.parse_isotime(value)
    except ValueError:
        raise exception.ValidationError(
            field=name, reason=f"'{value}' is not a date and time "
                               f"(use YYYY-MM-DDTHH:MM:SS)")
    return timeutils.normalize_time(parsed)


def _period():
    start, end = _parse("start"), _parse("end")
    if start > end:
        raise exception.InvalidInput(
            reason="Invalid start time. The start time cannot occur after "
                   "the end time.")
    return start, end


def _detailed():
    return pecan.request.GET.get("detailed", "0").lower() in (
        "1", "true", "yes")


def _view(usage, detailed):
    body = dict(usage)
    if not detailed:
        body.pop("server_usages")
    return body


class TenantUsageController:
    """/os-simple-tenant-usage/{project_id}."""

    def __init__(self, project_id):
        self.project_id = project_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.authorize(U % "show", {"project_id": self.project_id})
        start, end = _period()
        usages = common.services().usage.usages(
            common.context(), start, end, project_id=self.project_id)
        usage = usages.get(self.project_id)
        # Nova answers an idle project with an empty object.
        return common.reply({"tenant_usage": _view(usage, True)
                             if usage else {}})


class TenantUsagesController:
    """/os-simple-tenant-usage (admin: every project)."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.authorize(U % "list")
        start, end = _period()
        usages = common.services().usage.usages(common.context(), start,
                                                end)
        detailed = _detailed()
        return common.reply({"tenant_usages": [
            _view(u, detailed) for _, u in sorted(usages.items())]})

    @pecan.expose("json")
    def _lookup(self, project_id, *remainder):
        if remainder:
            pecan.abort(404)
        return TenantUsageController(project_id), remainder
