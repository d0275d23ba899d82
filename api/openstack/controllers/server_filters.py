"""Query-string filters of GET /servers and /servers/detail."""

import re

import pecan
from oslo_utils import strutils

from nimbus.api.openstack import common
from nimbus.core import exception

_STATUS_TO_VM_STATE = {
    "ACTIVE": ["active"], "BUILD": ["building"], "SHUTOFF": ["stopped"],
    "ERROR": ["error"], "PAUSED": ["paused"], "SUSPENDED": ["suspended"],
    "DELETED": ["deleted"], "REBOOT": ["active"], "HARD_REBOOT": ["active"],
    "RESCUE": ["rescued"], "VERIFY_RESIZE": ["resized"],
    "SHELVED": ["shelved"], "SHELVED_OFFLOADED": ["shelved_offloaded"],
    "SOFT_DELETED": ["soft-delete"],
}
_TRUE = ("1", "true", "t", "yes", "y", "on", "")


def _ref(value):
    return value.rsplit("/", 1)[-1]


def _regex(value, what):
    try:
        return re.compile(value)
    except re.error:
        raise exception.Invalid(reason=f"Invalid {what} filter {value}")


def _name(value):
    _regex(value, "name")
    return value


def _with_address(get, filters):
    """``ip`` (any caller) and ``ip6`` (any caller from 2.5, admins
    always): regexes over the servers' fixed addresses."""
    wanted = None
    for key, version in (("ip", 4), ("ip6", 6)):
        if not get.get(key):
            continue
        if key == "ip6" and not (common.at_least(5) or
                                 common.context().is_admin):
            continue
        found = common.services().network.instances_with_address(
            common.context(), _regex(get[key], key), version)
        wanted = found if wanted is None else wanted & found
    if wanted is not None:
        filters["uuids"] = sorted(wanted)


def _changes(get, filters):
    """``changes-since`` and, from 2.66, ``changes-before``: the servers
    updated in that window, deleted ones included (Nova's)."""
    names = ("changes-since", "changes-before") if common.at_least(66) \
        else ("changes-since",)
    given = {name: get[name] for name in names if get.get(name)}
    if not given:
        return
    since, until = common.changes_window(given)
    if since is not None:
        filters["changes_since"] = since
    if until is not None:
        filters["changes_before"] = until
    filters["deleted"] = True


def user_filters():
    """Filters any caller may use."""
    get = pecan.request.GET
    filters = {}
    if get.get("name"):
        filters["name"] = _name(get["name"])
    if get.get("status"):
        states = _STATUS_TO_VM_STATE.get(get["status"].upper())
        if not states and common.at_least(38):
            # 2.38: Nova's 400; below it, an unknown status matches none.
            raise exception.Invalid(reason="Invalid status value")
        filters["vm_state"] = states or ["__none__"]
    if get.get("image"):
        filters["image_ref"] = _ref(get["image"])
    if get.get("flavor"):
        filters["flavor_id"] = _ref(get["flavor"])
    _changes(get, filters)
    _with_address(get, filters)
    if common.at_least(26):
        for key in ("tags", "tags-any", "not-tags", "not-tags-any"):
            if get.get(key):
                filters[key] = [t for t in get[key].split(",") if t]
    if common.at_least(73) and "locked" in get:
        filters["locked"] = _locked(get["locked"])
    return filters


def _locked(value):
    """2.73's ``locked``: a strict boolean (Nova's 400 otherwise)."""
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError as err:
        raise exception.Invalid(message=f"Invalid input received: {err}")


def filters():
    """All filters of this request, enforcing the all-projects policy.

    :raises PolicyNotAuthorized: ``all_tenants`` without the right.
    """
    get = pecan.request.GET
    result = user_filters()
    all_tenants = "all_tenants" in get and \
        get["all_tenants"].lower() in _TRUE
    project = get.get("project_id") or get.get("tenant_id")
    if all_tenants or (project and project !=
                       common.context().project_id):
        common.authorize("os_compute_api:servers:index:get_all_tenants")
        result["all_tenants"] = True
        if project:
            result["project_id"] = project
    if get.get("host") and common.context().is_admin:
        result["host"] = get["host"]
    if get.get("hostname") and (common.at_least(90) or
                                common.context().is_admin):
        # Nova's admin filter, everyone's from 2.90.
        _regex(get["hostname"], "hostname")
        result["hostname"] = get["hostname"]
    return result
