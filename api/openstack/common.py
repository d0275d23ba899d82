"""Helpers shared by the OpenStack dialect's controllers."""

import pecan
from oslo_utils import timeutils

from nimbus.api import http
from nimbus.core import exception

# The request helpers every dialect shares live in nimbus.api.http.
allow = http.allow
body = http.body
query = http.query
context = http.context
reply = http.reply
services = http.services
authorize = http.authorize
may = http.may
base_url = http.base_url


def version():
    """The request's microversion as ``(major, minor)``."""
    memo = http.request_memo()
    value = memo.get("api_version")
    if value is None:
        value = pecan.request.context.get("api_version")
        if value is None:
            return (2, 1)  # not (yet) negotiated: not remembered
        memo["api_version"] = value
    return value


def at_least(minor):
    """Whether the request's microversion is 2.``minor`` or later."""
    return version() >= (2, minor)


def strict_query(schema):
    """From 2.75 refuse (400) a query string ``schema`` (one of
    :mod:`~nimbus.api.openstack.schemas_query_v275`) does not allow, an
    unknown parameter above all; below 2.75 nothing is checked here."""
    if at_least(75):
        query(schema)


def link(kind, ident, project_id=None, base=None):
    """The ``self`` and ``bookmark`` links of ``kind``/``ident``.

    :param base: the request's base URL when the caller has it (a page
        of servers reads it once, not once per link).
    """
    url = base or base_url()
    path = f"/v2.1/{kind}/{ident}"
    return [{"rel": "self", "href": url + path},
            {"rel": "bookmark", "href": url + f"/{kind}/{ident}"}]


def int_param(name, minimum=0):
    value = pecan.request.GET.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise exception.Invalid(reason=f"{name} must be an integer")
    if number < minimum:
        raise exception.Invalid(reason=f"{name} must be >= {minimum}")
    return number


def limit_param():
    limit = int_param("limit", minimum=0)
    max_limit = pecan.request.context["max_limit"]
    return max_limit if limit is None else min(limit, max_limit)


def next_link(kind, items, limit, id_key="id"):
    """Return ``[{"rel": "next", ...}]`` when a full page was returned."""
    if not items or limit is None or len(items) < limit:
        return None
    params = dict(pecan.request.GET)
    params["marker"] = items[-1][id_key]
    params["limit"] = str(limit)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return [{"rel": "next",
             "href": f"{base_url()}/v2.1/{kind}?{query}"}]


def changes_window(params, before=True):
    """``changes-since`` and (2.66, when ``before``) ``changes-before``
    of the query ``params`` as naive UTC datetimes, None when absent.

    :raises Invalid: a value that is no ISO 8601 time, or a
        ``changes-since`` after the ``changes-before`` (Nova's 400s).
    """
    names = ("changes-since", "changes-before") if before else \
        ("changes-since",)
    times = []
    for name in names:
        value = params.get(name)
        if value is None:
            times.append(None)
            continue
        try:
            times.append(timeutils.normalize_time(
                timeutils.parse_isotime(value)))
        except (ValueError, OverflowError):
            raise exception.Invalid(
                message=f"Invalid filter field: {name}.")
    since, until = (times + [None])[:2]
    if since is not None and until is not None and until < since:
        raise exception.Invalid(
            message="The value of changes-since must be less than or "
                    "equal to changes-before.")
    return since, until


class Fixed:
    """A controller answering one precomputed body (what a ``_lookup``
    returns for an item it has already read and authorized)."""

    def __init__(self, body):
        self.body = body

    @pecan.expose("json")
    def index(self):
        return reply(self.body)
