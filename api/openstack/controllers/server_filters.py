"""Query-string filters of GET /servers and /servers/detail."""

import re

import pecan
from oslo_utils import strutils

from nimbus.api.openstack import common
from nimbus.api.openstack import schemas_query_v275 as strict
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


#: 2.83's filters (admins' at every version) that Nova's database
#: matches as a regex over the column's text, searched (not anchored).
_REGEX_COLUMNS = ("availability_zone", "config_drive", "key_name",
                  "created_at", "launched_at", "terminated_at",
                  "power_state", "progress")
#: 2.83's filters Nova's database matches exactly (one value: the last).
_EXACT_COLUMNS = ("user_id", "task_state", "vm_state")
#: what a server body shows where the column is empty (the view's
#: defaults): the regexes match the shown value, as Nova's do.
_SHOWN_DEFAULTS = {"availability_zone": "nova", "config_drive": ""}
#: Nova checks these patterns at every version, for every caller (its
#: query schema below 2.75 lets unknown parameters through, not these).
_REGEX_SCHEMA = {"type": "object", "properties": {
    name: strict.SERVERS["properties"][name] for name in _REGEX_COLUMNS}}


def _column_filters(get, result):
    """Nova's 2.83 filters: for admins at every version, for everyone
    from 2.83; a non-admin's below it are dropped, as Nova drops them.
    A bad pattern is a 400 either way. ``status`` (already in
    ``result``) wins over ``vm_state``, as Nova's status does.
    """
    if not common.at_least(75):
        common.query(_REGEX_SCHEMA)      # 2.75+ checked it already
    if not (common.at_least(83) or common.context().is_admin):
        return
    patterns = {k: get[k] for k in _REGEX_COLUMNS if k in get}
    if patterns:
        result["regex"] = patterns
        result["regex_defaults"] = _SHOWN_DEFAULTS
    for key in _EXACT_COLUMNS:
        if key in get and not (key == "vm_state" and "vm_state" in result):
            result[key] = get[key]


def filters():
    """All filters of this request, enforcing the all-projects policy.

    :raises PolicyNotAuthorized: ``all_tenants`` without the right.
    """
    get = pecan.request.GET
    result = user_filters()
    _column_filters(get, result)
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
