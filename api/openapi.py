"""OpenAPI 3.1 documents for the HTTP dialects, built from the JSON
schemas their controllers validate with (so a document cannot drift from
what is enforced) and served by each dialect next to its version
document. ``tests/functional/api`` runs schemathesis over them.

A dialect gives its routes as ``{path: {method: Op}}``.
"""

import dataclasses

JSON = "application/json"


@dataclasses.dataclass(frozen=True)
class Op:
    """One operation: its success status, request body schema (or
    ``None``), the body's media type, and optional query and header
    parameters (names; values are strings)."""

    status: int = 200
    schema: dict | None = None
    media_type: str = JSON
    query: tuple = ()
    headers: tuple = ()


def _operation(path, method, op, fault):
    doc = {"operationId": f"{method}:{path}",
           "responses": {str(op.status): {"description": "Success"},
                         "default": {"description": "A fault",
                                     "content": {fault[0]: {
                                         "schema": fault[1]}}}}}
    params = [{"name": part[1:-1], "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1}}
              for part in path.split("/") if part.startswith("{")]
    params += [{"name": name, "in": "query", "required": False,
                "schema": {"type": "string"}} for name in op.query]
    params += [{"name": name, "in": "header", "required": False,
                "schema": {"type": "string"}} for name in op.headers]
    if params:
        doc["parameters"] = params
    if op.schema is not None:
        doc["requestBody"] = {"required": True, "content": {
            op.media_type: {"schema": op.schema}}}
    return doc


def document(title, version, server_url, routes, fault):
    """The OpenAPI document of ``routes``.

    :param fault: ``(media type, schema)`` of the dialect's error body.
    """
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": server_url}],
        "components": {"securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
        "security": [{"token": []}],
        "paths": {path: {method: _operation(path, method, op, fault)
                         for method, op in methods.items()}
                  for path, methods in routes.items()},
    }
