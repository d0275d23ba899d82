"""JSON schemas of the Compute API's answers, per route and microversion
range, from Nova's API reference, and the check ``[api]
response_validation`` runs on every 2xx JSON answer.

Each resource module has ``SCHEMAS``: ``(method, route) -> [(first
minor, last minor or None, schema)]``; a route is written as in
:data:`nimbus.api.openstack.openapi.ROUTES` (``/servers/{server_id}``).
An action route's answers are keyed per action, ``(method, route,
action)``, the action being the request body's one key (``("POST",
"/servers/{server_id}/action", "rebuild")``). An answer Nova sends
without a body has :data:`types.NO_BODY` for its schema.
A range ends where Nova's reference changes the body next, so raising
the advertised maximum past it leaves the route uncovered until its
schema learns the change (a unit test says so).
"""

import jsonschema

from nimbus.api import http
from nimbus.api.openstack import openapi
from nimbus.api.openstack.responses import (
    aggregates,
    availability_zones,
    consoles,
    empty,
    flavor_extras,
    flavors,
    hypervisors,
    images,
    instance_actions,
    keypairs,
    limits,
    migrations,
    networks,
    quotas,
    security_groups,
    server_actions,
    server_devices,
    server_diagnostics,
    server_groups,
    server_subresources,
    servers,
    services,
    usage,
    versions,
)
from nimbus.api.openstack.responses.types import NO_BODY

SCHEMAS = {}
for _module in (versions, servers, server_subresources, flavors,
                keypairs, limits, server_groups, quotas,
                availability_zones, services, aggregates, hypervisors,
                instance_actions, migrations, server_devices,
                flavor_extras, usage, security_groups, consoles, images,
                networks, server_diagnostics, empty, server_actions):
    SCHEMAS.update(_module.SCHEMAS)

#: the routes whose answers depend on the action the body names.
ACTION_ROUTES = {key[:2] for key in SCHEMAS if len(key) == 3}

#: the version documents, served without a microversion.
_VERSION_PATHS = {"/": "/", "/v2.1": "/v2.1", "/v2.1/": "/v2.1"}


def _templates():
    """Every known route, literal segments first (``/servers/detail``
    before ``/servers/{server_id}``)."""
    routes = set(openapi.ROUTES) | {key[1] for key in SCHEMAS}
    return sorted((tuple(route.strip("/").split("/")) for route in routes),
                  key=lambda parts: [p.startswith("{") for p in parts])


_TEMPLATES = _templates()


def route(path, project_id=None):
    """The route template ``path`` was served by (None if unknown).

    :param path: the request path (with or without ``/v2.1`` and the
        project id clients of the project-in-URL form send).
    """
    if path in _VERSION_PATHS:
        return _VERSION_PATHS[path]
    parts = path.strip("/").split("/")
    if parts[0] == "v2.1":
        parts = parts[1:]
    if project_id and len(parts) > 1 and parts[0] == project_id:
        parts = parts[1:]
    for template in _TEMPLATES:
        if len(template) == len(parts) and all(
                t == p or (t.startswith("{") and p)
                for t, p in zip(template, parts, strict=True)):
            return "/" + "/".join(template)
    return None


def schema(method, route, version, action=None):
    """The schema of ``method route``'s answer at ``version`` (None when
    nimbus has none for it; :data:`NO_BODY` when Nova's has no body).

    :param action: the action an action route's request names.
    """
    key = (method, route, action) if action else (method, route)
    for first, last, body in SCHEMAS.get(key, ()):
        if (2, first) <= version and (last is None or version <= (2, last)):
            return body
    return None


def error(method, route, version, body, action=None):
    """The first way ``body`` misses its schema, as a sentence, or None
    (it fits, or the route has no schema at ``version``).

    :param body: the answer's JSON, or None when it has no body.
    """
    expected = schema(method, route, version, action)
    if expected is None:
        return None
    if expected is NO_BODY:
        return None if body is None else \
            "body: a body where Nova's answer has none"
    if body is None:
        return "body: no body where Nova's answer has one"
    try:
        http.check(body, expected)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "body"
        return f"{where}: {err.message}"
    return None
