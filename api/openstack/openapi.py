"""The OpenAPI 3.1 document of the compute dialect (``GET
/v2.1/openapi.json``), built from the same JSON schemas the controllers
validate requests with and :mod:`nimbus.api.openstack.responses` checks
answers with, so it cannot drift from what is enforced.

A success response's body is the ``anyOf`` of its schema per
microversion range, each variant annotated ``x-openstack-microversions``
(``{"min": "2.1", "max": "2.35"}``, no ``max`` when open) and, for an
action, ``x-openstack-action``. ``anyOf``, not ``oneOf``: the
microversion the client asked for picks the variant, not the body, and
neighbouring ranges' bodies overlap (a body valid at two versions would
fail a ``oneOf``). Unknown keywords are annotations in JSON Schema
2020-12 and OpenAPI 3.1 allows ``x-`` extensions in a Schema Object, so
the variants stay valid schemas. An answer with no body has no
``content``; where only some versions (or actions) send none, the
response's description names them.
"""

from nimbus.api.openstack import (
    microversion,
    schemas,
    schemas_admin,
    schemas_consoles,
    schemas_events,
    schemas_network,
    schemas_tenant,
    schemas_volumes,
)

_FAULT = {"type": "object", "minProperties": 1, "maxProperties": 1,
          "additionalProperties": {
              "type": "object", "required": ["code", "message"],
              "properties": {"code": {"type": "integer"},
                             "message": {"type": "string"}}}}
_ANY = {"type": "object"}

_KEYPAIR = {
    "type": "object", "required": ["keypair"], "additionalProperties": False,
    "properties": {"keypair": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": {"type": "string", "minLength": 1,
                                "maxLength": 255,
                                "pattern": r"^[a-zA-Z0-9 _.@-]+$"},
                       "public_key": {"type": "string"}}}},
}

S = "/servers/{server_id}"
F = "/flavors/{flavor_id}"
Q = "/os-quota-sets/{project_id}"

# path -> {method: (success status, request schema or None)}; a status
# that changed with a microversion is ``{first minor: status}``.
ROUTES = {
    "/servers": {"get": (200, None),
                 "post": (202, schemas.SERVER_CREATE)},
    "/servers/detail": {"get": (200, None)},
    S: {"get": (200, None), "put": (200, schemas.SERVER_UPDATE),
        "delete": (204, None)},
    S + "/action": {"post": (202, schemas.SERVER_ACTION)},
    S + "/metadata": {"get": (200, None),
                      "post": (200, schemas.METADATA),
                      "put": (200, schemas.METADATA)},
    S + "/metadata/{key}": {"get": (200, None),
                            "put": (200, schemas.METADATA_ITEM),
                            "delete": (204, None)},
    S + "/ips": {"get": (200, None)},
    S + "/os-instance-actions": {"get": (200, None)},
    S + "/tags": {"get": (200, None), "put": (200, schemas.TAGS),
                  "delete": (204, None)},
    S + "/tags/{tag}": {"get": (204, None), "put": (201, None),
                        "delete": (204, None)},
    S + "/migrations": {"get": (200, None)},
    S + "/diagnostics": {"get": (200, None)},
    S + "/topology": {"get": (200, None)},
    S + "/migrations/{migration_id}": {"get": (200, None)},
    S + "/os-volume_attachments": {
        "get": (200, None), "post": (200, schemas_volumes.VOLUME_ATTACH)},
    # PUT: swap below 2.85, delete_on_termination from 2.85
    S + "/os-volume_attachments/{volume_id}": {
        "get": (200, None), "delete": (202, None),
        "put": (202, schemas_volumes.VOLUME_ATTACH_UPDATE)},
    "/flavors": {"get": (200, None),
                 "post": (200, schemas.FLAVOR_CREATE)},
    "/flavors/detail": {"get": (200, None)},
    # PUT from 2.55 (the description)
    F: {"get": (200, None), "put": (200, schemas.FLAVOR_UPDATE),
        "delete": (202, None)},
    F + "/os-extra_specs": {"get": (200, None),
                            "post": (200, schemas_tenant.EXTRA_SPECS)},
    F + "/os-extra_specs/{key}": {
        "get": (200, None), "put": (200, schemas_tenant.EXTRA_SPEC_ITEM),
        "delete": (200, None)},
    F + "/os-flavor-access": {"get": (200, None)},
    F + "/action": {"post": (200, schemas_tenant.FLAVOR_ACTION)},
    # 2.2: created is a 201, deleted a 204
    "/os-keypairs": {"get": (200, None),
                     "post": ({1: 200, 2: 201}, _KEYPAIR)},
    "/os-keypairs/{name}": {"get": (200, None),
                            "delete": ({1: 202, 2: 204}, None)},
    "/limits": {"get": (200, None)},
    Q: {"get": (200, None), "put": (200, schemas_tenant.QUOTA_UPDATE),
        "delete": (202, None)},
    Q + "/detail": {"get": (200, None)},
    Q + "/defaults": {"get": (200, None)},
    "/os-services": {"get": (200, None)},
    "/os-services/disable": {
        "put": (200, schemas_tenant.service_update("disable"))},
    "/os-services/enable": {
        "put": (200, schemas_tenant.service_update("enable"))},
    # 2.53: a service by UUID (an integer id to 2.52 for the DELETE).
    "/os-services/{service_id}": {
        "put": (200, schemas_admin.SERVICE_UPDATE_V253),
        "delete": (204, None)},
    "/os-migrations": {"get": (200, None)},
    "/os-server-external-events": {
        "post": (200, schemas_events.external_events(
            microversion.MAX_VERSION[1]))},
    "/os-hypervisors": {"get": (200, None)},
    "/os-hypervisors/detail": {"get": (200, None)},
    "/os-hypervisors/statistics": {"get": (200, None)},
    "/os-hypervisors/{hypervisor_id}": {"get": (200, None)},
    "/os-hypervisors/{hypervisor_id}/uptime": {"get": (200, None)},
    "/os-simple-tenant-usage": {"get": (200, None)},
    "/os-simple-tenant-usage/{project_id}": {"get": (200, None)},
    "/os-availability-zone": {"get": (200, None)},
    "/images": {"get": (200, None)},
    "/images/{image_id}": {"get": (200, None)},
    "/os-networks": {"get": (200, None)},
    "/os-networks/{network_id}": {"get": (200, None)},
    "/os-security-groups": {
        "get": (200, None), "post": (200, schemas_network.SECURITY_GROUP)},
    "/os-security-groups/{security_group_id}": {
        "get": (200, None), "put": (200, schemas_network.SECURITY_GROUP),
        "delete": (202, None)},
    "/os-security-group-rules": {
        "post": (200, schemas_network.SECURITY_GROUP_RULE)},
    "/os-security-group-rules/{rule_id}": {"delete": (202, None)},
    S + "/os-security-groups": {"get": (200, None)},
    S + "/os-interface": {
        "get": (200, None),
        "post": (200, schemas_network.INTERFACE_ATTACH)},
    S + "/os-interface/{port_id}": {"get": (200, None),
                                    "delete": (202, None)},
    S + "/os-virtual-interfaces": {"get": (200, None)},
    S + "/remote-consoles": {
        "post": (200, schemas_consoles.remote_console(mks=True))},
    "/os-console-auth-tokens/{console_token}": {"get": (200, None)},
    "/images/detail": {"get": (200, None)},
    S + "/ips/{network}": {"get": (200, None)},
    S + "/os-instance-actions/{request_id}": {"get": (200, None)},
    S + "/os-server-password": {"get": (200, None), "delete": (204, None)},
    "/os-server-groups": {
        "get": (200, None),
        "post": (200, schemas.server_group_create(True, True))},
    "/os-server-groups/{server_group_id}": {"get": (200, None),
                                            "delete": (204, None)},
    "/os-aggregates": {"get": (200, None),
                       "post": (200, schemas.AGGREGATE_CREATE)},
    "/os-aggregates/{aggregate_id}": {
        "get": (200, None), "put": (200, schemas.AGGREGATE_UPDATE),
        "delete": (200, None)},
    "/os-aggregates/{aggregate_id}/action": {"post": (200, None)},
    # 2.81
    "/os-aggregates/{aggregate_id}/images": {
        "post": (202, schemas.AGGREGATE_IMAGES)},
    "/os-availability-zone/detail": {"get": (200, None)},
    "/os-quota-class-sets/{class_name}": {
        "get": (200, None),
        "put": (200, schemas_tenant.quota_class_update(
            schemas_tenant.QUOTA_CLASS_UPDATE_KEYS_2_1))},
    # to 2.52 (2.53: PUT /os-services/{service_id})
    "/os-services/disable-log-reason": {
        "put": (200, schemas_tenant.service_update("disable-log-reason"))},
    "/os-services/force-down": {
        "put": (200, schemas_tenant.service_update("force-down"))},
}

_HYPERVISOR_QUERY = ("limit", "marker", "hypervisor_hostname_pattern",
                     "with_servers")
_QUERY = {"/os-simple-tenant-usage": ("start", "end", "detailed"),
          "/os-simple-tenant-usage/{project_id}": ("start", "end"),
          "/os-services": ("host", "binary"),
          # limit and marker from 2.33, the rest from 2.53.
          "/os-hypervisors": _HYPERVISOR_QUERY,
          "/os-hypervisors/detail": _HYPERVISOR_QUERY,
          "/os-hypervisors/{hypervisor_id}": ("with_servers",),
          # changes-before from 2.66, locked from 2.73.
          "/servers": ("name", "status", "image", "flavor",
                       "changes-since", "changes-before", "locked",
                       "limit", "marker", "all_tenants"),
          "/servers/detail": ("name", "status", "image", "flavor",
                              "changes-since", "changes-before", "locked",
                              "limit", "marker"),
          # 2.58: paging and changes-since (unknown ones are a 400).
          S + "/os-instance-actions": ("limit", "marker", "changes-since"),
          # 2.1's filters; limit, marker and changes-since from 2.59.
          "/os-migrations": ("host", "status", "instance_uuid",
                             "source_compute", "migration_type", "hidden",
                             "limit", "marker", "changes-since"),
          "/flavors": ("is_public", "minRam", "minDisk", "limit",
                       "marker"),
          "/flavors/detail": ("is_public", "minRam", "minDisk", "limit",
                              "marker")}


def _operation(path, method, status, schema, answers):
    op = {"operationId": f"{method}:{path}",
          "responses": dict(answers(method, path, status), default={
              "description": "A fault", "content": {"application/json": {
                  "schema": _FAULT}}})}
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1}}
              for name in _path_params(path)]
    params += [{"name": name, "in": "query", "required": False,
                "schema": {"type": "string"}}
               for name in _QUERY.get(path, ())]
    if params:
        op["parameters"] = params
    if schema is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": schema}}}
    return op


def _path_params(path):
    return [part[1:-1] for part in path.split("/")
            if part.startswith("{")]


def _versions(first, last):
    versions = {"min": f"2.{first}"}
    if last is not None:
        versions["max"] = f"2.{last}"
    return versions


def _merged(ranges):
    """``ranges`` with neighbours of equal schema made one."""
    merged = []
    for first, last, body in sorted(ranges, key=lambda r: r[0]):
        if merged and merged[-1][2] == body and merged[-1][1] == first - 1:
            merged[-1] = (merged[-1][0], last, body)
        else:
            merged.append((first, last, body))
    return merged


def _by_status(status, first, last):
    """``(first, last, code)`` pieces of the range ``first``-``last``
    (``last`` None: open) for a route's ``status``: an int, or
    ``{first minor: code}`` when the code changed with a version."""
    if isinstance(status, int):
        return [(first, last, status)]
    starts = sorted(status)
    pieces = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else None
        lo = max(first, start)
        hi = end if last is None else (last if end is None
                                       else min(last, end))
        if hi is None or lo <= hi:
            pieces.append((lo, hi, status[start]))
    return pieces


def _response(variants, no_body):
    """A response from ``(annotations, schema)`` body variants and the
    descriptions of the cases without a body."""
    answer = {"description": "Success"}
    if no_body:
        answer["description"] += "; no body " + ", ".join(no_body)
    if variants:
        answer["content"] = {"application/json": {"schema": {"anyOf": [
            dict(schema, **notes) for notes, schema in variants]}}}
    return answer


def _add_variant(variants, no_body, action, first, last, body):
    """Note the answer ``body`` of ``action`` (None: the route's) from
    2.``first`` to 2.``last``: a variant, or a case without a body."""
    versions = _versions(first, last)
    notes = {"x-openstack-microversions": versions}
    span = "-".join(versions.values()) + ("" if "max" in versions else "+")
    if action is not None:
        notes["x-openstack-action"] = action
        span = f"{action} {span}"
    if body is False:
        no_body.append(f"({span})")
    else:
        variants.append((notes, body))


def _answers(schemas, statuses):
    """The ``responses`` function :func:`_operation` takes: success
    responses from the response ``schemas`` (``responses.SCHEMAS``) and,
    for an action route, the status of each action (``statuses``: the
    route's default status -> per-action exceptions)."""

    def answers(method, path, status):
        key = (method.upper(), path)
        actions = {k[2]: r for k, r in schemas.items()
                   if len(k) == 3 and k[:2] == key}
        cases = {None: schemas[key]} if key in schemas else actions
        by_status = {}
        for action, ranges in sorted(cases.items(),
                                     key=lambda case: case[0] or ""):
            route_status = statuses.get(key, {}).get(action, status)
            for whole in _merged(ranges):
                for first, last, code in _by_status(route_status, *whole[:2]):
                    variants, no_body = by_status.setdefault(code, ([], []))
                    _add_variant(variants, no_body, action, first, last,
                                 whole[2])
        if not by_status:
            return {str(code): {"description": "Success"}
                    for _, _, code in _by_status(status, 1, None)}
        return {str(code): _response(*parts)
                for code, parts in sorted(by_status.items())}

    return answers


def document(base_url):
    """Return the OpenAPI document, servers pointing at ``base_url``."""
    # here, not at the top: responses reads ROUTES when it loads
    from nimbus.api.openstack import responses
    from nimbus.api.openstack.responses import server_actions
    answers = _answers(responses.SCHEMAS, {
        ("POST", server_actions.ROUTE): server_actions.STATUS})
    paths = {}
    for path, methods in ROUTES.items():
        paths[path] = {m: _operation(path, m, status, schema, answers)
                       for m, (status, schema) in methods.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "nimbus Compute API (OpenStack v2.1)",
                 "version": microversion.text(microversion.MAX_VERSION)},
        "servers": [{"url": base_url + "/v2.1"}],
        "components": {"securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
        "security": [{"token": []}],
        "paths": paths,
    }
