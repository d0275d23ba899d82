"""/os-simple-tenant-usage[/{project_id}]: what projects ran over a
period (``openstack usage list/show``)."""

import datetime

import pecan
from oslo_utils import timeutils

from nimbus.api.openstack import common
from nimbus.api.openstack import schemas_query_v275 as strict
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


def _page(start, end, project_id=None):
    """The usages over one page of servers from 2.40 (``limit``,
    ``marker``: a server uuid); every server below. Returns ``(usages,
    next links or None)``."""
    usage = common.services().usage
    ctx = common.context()
    if not common.at_least(40):
        return usage.usages(ctx, start, end, project_id=project_id), None
    limit = common.limit_param()
    usages, uuids = usage.usage_page(
        ctx, start, end, project_id=project_id, limit=limit,
        marker=pecan.request.GET.get("marker"))
    kind = "os-simple-tenant-usage" + (f"/{project_id}" if project_id
                                       else "")
    return usages, common.next_link(kind, [{"id": u} for u in uuids],
                                    limit)


class TenantUsageController:
    """/os-simple-tenant-usage/{project_id}."""

    def __init__(self, project_id):
        self.project_id = project_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.strict_query(strict.USAGE_SHOW)
        common.authorize(U % "show", {"project_id": self.project_id})
        start, end = _period()
        usages, links = _page(start, end, self.project_id)
        usage = usages.get(self.project_id)
        # Nova answers an idle project with an empty object.
        body = {"tenant_usage": _view(usage, True) if usage else {}}
        if links:
            body["tenant_usage_links"] = links
        return common.reply(body)


class TenantUsagesController:
    """/os-simple-tenant-usage (admin: every project)."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        common.strict_query(strict.USAGE)
        common.authorize(U % "list")
        start, end = _period()
        usages, links = _page(start, end)
        detailed = _detailed()
        body = {"tenant_usages": [_view(u, detailed)
                                  for _, u in sorted(usages.items())]}
        if links:
            body["tenant_usages_links"] = links
        return common.reply(body)

    @pecan.expose("json")
    def _lookup(self, project_id, *remainder):
        if remainder:
            pecan.abort(404)
        return TenantUsageController(project_id), remainder
