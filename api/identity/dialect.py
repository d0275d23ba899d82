"""The identity dialect (``nimbus.api.dialects``): an Identity v3 subset
at ``/identity``, enough for password auth from stock clients."""

import json

from nimbus.api import faults, http
from nimbus.api.identity import root

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           413: "Request Entity Too Large", 500: "Internal Server Error"}
_PUBLIC = {("GET", "/identity"), ("GET", "/identity/"),
           ("GET", "/identity/v3"), ("GET", "/identity/v3/"),
           ("GET", "/identity/v3/openapi.json"),
           ("POST", "/identity/v3/auth/tokens")}


def is_public(request):
    method = "GET" if request.method == "HEAD" else request.method
    return (method, request.path) in _PUBLIC


class IdentityDialect(http.AuthenticatedDialect):
    """Identity v3 subset: tokens, projects, users, roles."""

    prefixes = ("identity",)
    root_class = root.IdentityRoot
    is_public = staticmethod(is_public)

    def error_response(self, request, error):
        mapped = faults.fault(request, error)
        body = {"error": {"code": mapped.status,
                          "title": _TITLES.get(mapped.status, "Error"),
                          "message": mapped.message}}
        return faults.response(mapped, "application/json", json.dumps(body))
