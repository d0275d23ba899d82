"""Helpers shared by the OpenStack dialect's controllers."""

import json

import pecan

from nimbus.api import http
from nimbus.core import exception, policy


def reply(body=None, status=200):
    """Return pecan's response carrying ``body`` as JSON."""
    response = pecan.response
    response.status = status
    if body is None:
        response.body = b""
        response.content_type = None
    else:
        response.content_type = "application/json"
        response.charset = "utf-8"
        response.text = json.dumps(body)
    return response


def allow(*methods):
    """Abort with 405 unless the request uses one of ``methods`` (pecan's
    generic handlers fall back to the GET handler for unknown methods)."""
    if pecan.request.method not in methods + ("HEAD",):
        pecan.abort(405, headers={"Allow": ", ".join(methods)})


def context():
    return pecan.request.context["nimbus"]


def services():
    return pecan.request.context["services"]


def version():
    """The request's microversion as ``(major, minor)``."""
    return pecan.request.context.get("api_version", (2, 1))


def at_least(minor):
    """Whether the request's microversion is 2.``minor`` or later."""
    return version() >= (2, minor)


def authorize(action, target=None):
    """Enforce ``action`` for the caller; raise 403 if policy says no."""
    policy.authorize(pecan.request.context["conf"], context(), action,
                     target)


def may(action, target=None):
    """Whether policy allows ``action`` (for optional fields)."""
    return policy.check(pecan.request.context["conf"], context(), action,
                        target)


def base_url():
    conf_url = pecan.request.context.get("public_endpoint")
    return (conf_url or pecan.request.host_url).rstrip("/")


def link(kind, ident, project_id=None):
    url = base_url()
    path = f"/v2.1/{kind}/{ident}"
    return [{"rel": "self", "href": url + path},
            {"rel": "bookmark", "href": url + f"/{kind}/{ident}"}]


def body(schema):
    """Parse the request's JSON body and validate it against ``schema``.

    :raises Invalid: not JSON or not matching the schema (400); 413 when
        too large, 415 for a form body.
    """
    data = http.read_json(pecan.request)
    http.validate(data, schema)
    return data


RequestTooLarge = http.RequestTooLarge


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
