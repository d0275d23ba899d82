"""Helpers shared by the volume dialect's controllers: the volume
service API, the microversion, and Cinder's list parameters (filters,
sort, marker, limit)."""

import ast
import urllib.parse

import pecan
from oslo_utils import uuidutils

from nimbus.api import http
from nimbus.api.volume import microversion, schemas
from nimbus.core import exception

#: keys a list may sort on (Cinder's ``sort_key`` / ``sort``).
_SORT_KEYS = ("created_at", "updated_at", "id", "name", "size", "status")


def volumes():
    """The volume service API (:class:`nimbus.core.volume.api.VolumeAPI`)."""
    return http.services().volume


def version():
    return pecan.request.context.get("volume_version",
                                     microversion.MIN_VERSION)


def owner_target(record):
    """The policy target of a volume or snapshot dict."""
    return {"project_id": record.get("os-vol-tenant-attr:tenant_id") or
            record.get("project_id") or ""}


def check_id(ident, kind):
    """404 for an id that cannot name a volume or snapshot (clients look
    names up with ``GET /volumes/<name>`` first and expect a 404)."""
    if not uuidutils.is_uuid_like(ident):
        if kind == "snapshot":
            raise exception.SnapshotNotFound(snapshot_id=ident)
        raise exception.VolumeNotFound(volume_id=ident)


def query_bool(name, default=False):
    """A boolean query parameter; accepts Python literals (``True``)."""
    value = pecan.request.GET.get(name)
    if value is None:
        return default
    if value.strip().lower() in ("true", "1", "yes", "on", "y", "t"):
        return True
    if value.strip().lower() in ("false", "0", "no", "off", "n", "f",
                                 "none", ""):
        return False
    raise exception.Invalid(reason=f"{name} must be a boolean, "
                                   f"not {value!r}")


def all_projects():
    """``all_tenants`` asks for every project; only an administrator
    gets it (Cinder ignores it for everybody else)."""
    return query_bool("all_tenants") and http.context().is_admin


def metadata_filter():
    """``metadata`` as python-openstackclient sends it: a stringified
    dict (``{'k': 'v'}``)."""
    raw = pecan.request.GET.get("metadata")
    if raw is None:
        return None
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, dict):
        raise exception.Invalid(reason="metadata must be a dict, e.g. "
                                       "{'key': 'value'}")
    return {str(k): str(v) for k, v in value.items()}


def _sort():
    get = pecan.request.GET
    if get.get("sort"):
        key, _, direction = get["sort"].split(",")[0].partition(":")
    else:
        key, direction = get.get("sort_key"), get.get("sort_dir")
    key = key or "created_at"
    direction = (direction or "desc").lower()
    if key == "display_name":
        key = "name"
    if key not in _SORT_KEYS:
        raise exception.Invalid(reason=f"Invalid sort key {key!r}; one of "
                                       f"{', '.join(_SORT_KEYS)}")
    if direction not in ("asc", "desc"):
        raise exception.Invalid(reason=f"Invalid sort direction "
                                       f"{direction!r}: asc or desc")
    return key, direction == "desc"


def _limit():
    raw = pecan.request.GET.get("limit")
    max_limit = pecan.request.context["conf"].api.max_limit
    if raw is None:
        return max_limit
    if not (raw.isascii() and raw.isdigit()):
        raise exception.Invalid(reason="limit must be an integer >= 0")
    return min(int(raw), max_limit)


def page(records):
    """Sort ``records`` and cut the page ``marker``/``limit`` ask for.

    :returns: ``(page, limit)``.
    :raises Invalid: bad sort, limit, or a marker not in the list
        (Cinder: 400).
    """
    key, reverse = _sort()

    def sort_key(record):
        value = record.get(key)
        return (value is not None, str(value) if key != "size" else
                value or 0, record["id"])
    records = sorted(records, key=sort_key, reverse=reverse)
    marker = pecan.request.GET.get("marker")
    if marker:
        ids = [r["id"] for r in records]
        if marker not in ids:
            raise exception.Invalid(reason=f"marker {marker} not found")
        records = records[ids.index(marker) + 1:]
    limit = _limit()
    return records[:limit], limit


def next_links(kind, items, limit):
    """``[{"rel": "next", ...}]`` when a full page was returned."""
    if not items or len(items) < limit:
        return None
    params = dict(pecan.request.GET)
    params["marker"] = items[-1]["id"]
    params["limit"] = str(limit)
    query = urllib.parse.urlencode(params)
    return [{"rel": "next",
             "href": f"{http.base_url()}/volume/v3/{kind}?{query}"}]


def text_field(data, *names):
    """The first of ``names`` present in ``data`` (Cinder accepts both
    ``name`` and the v1 ``display_name``)."""
    for name in names:
        if name in data:
            return True, data[name]
    return False, None


def name_description_changes(data):
    """``{"name", "description"}`` as given in an update body, under
    either Cinder spelling (``display_name``/``display_description``)."""
    changes = {}
    for ours, names in (("name", ("name", "display_name")),
                        ("description", ("description",
                                         "display_description"))):
        given, value = text_field(data, *names)
        if given:
            changes[ours] = value
    return changes


boolean = schemas.boolean
