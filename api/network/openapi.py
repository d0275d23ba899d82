"""The OpenAPI 3.1 document of the network dialect (``GET
/network/v2.0/openapi.json``), built from the JSON schemas the
controllers validate with, so it cannot drift from what is enforced."""

from nimbus.api.network import query, resources, schemas

_FAULT = {"type": "object", "required": ["NeutronError"],
          "properties": {"NeutronError": {
              "type": "object", "required": ["type", "message", "detail"],
              "properties": {"type": {"type": "string"},
                             "message": {"type": "string"},
                             "detail": {"type": "string"}}}}}
Q = "/quotas/{project_id}"


def routes():
    """``{path: {method: (success status, request schema or None)}}``."""
    out = {}
    for resource in resources.ALL:
        base = "/" + resource.path
        member = f"{base}/{{{resource.singular}_id}}"
        out[base] = {"get": (200, None),
                     "post": (201, resource.create_schema)}
        out[member] = {"get": (200, None), "delete": (204, None)}
        if resource.update_schema is not None:
            out[member]["put"] = (200, resource.update_schema)
    out[Q] = {"get": (200, None), "put": (200, schemas.QUOTA_UPDATE),
              "delete": (204, None)}
    out[Q + "/details"] = {"get": (200, None)}
    out[Q + "/default"] = {"get": (200, None)}
    out["/extensions"] = {"get": (200, None)}
    out["/extensions/{alias}"] = {"get": (200, None)}
    return out


def _list_parameters(resource):
    names = sorted(resource.attributes()) + list(query.PAGING)
    return [{"name": name, "in": "query", "required": False,
             "schema": {"type": "string"}} for name in names]


def _operation(path, method, status, schema, resource):
    op = {"operationId": f"{method}:{path}",
          "responses": {str(status): {"description": "Success"},
                        "default": {"description": "A NeutronError",
                                    "content": {"application/json": {
                                        "schema": _FAULT}}}}}
    params = [{"name": part[1:-1], "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1}}
              for part in path.split("/") if part.startswith("{")]
    if method == "get" and resource is not None and "{" not in path:
        params += _list_parameters(resource)
    if params:
        op["parameters"] = params
    if schema is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": schema}}}
    return op


def document(base_url):
    """Return the OpenAPI document, servers pointing at ``base_url``."""
    by_path = {"/" + r.path: r for r in resources.ALL}
    paths = {}
    for path, methods in routes().items():
        paths[path] = {m: _operation(path, m, status, schema,
                                     by_path.get(path))
                       for m, (status, schema) in methods.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "nimbus Networking API (Neutron v2.0 subset)",
                 "version": "2.0"},
        "servers": [{"url": base_url + "/network/v2.0"}],
        "components": {"securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
        "security": [{"token": []}],
        "paths": paths,
    }
