"""The network dialect (``nimbus.api.dialects``, name ``network``): a
Networking v2 subset (Neutron's API) at ``/network``, in the service
catalog as type ``network``.

Clients append ``/v2.0/...`` to the catalog URL themselves. Errors are
Neutron's body, ``{"NeutronError": {"type", "message", "detail"}}``, with
the status of the exception as every dialect keeps it (a quota overrun
is therefore a 403 here, where Neutron answers 409: clients show the
message either way).
"""

import json

import webob.exc

from nimbus.api import faults, http
from nimbus.api.network import root
from nimbus.core import exception

_PUBLIC = {"/network", "/network/", "/network/v2.0", "/network/v2.0/",
           "/network/v2.0/openapi.json"}

#: nimbus exception -> the ``type`` Neutron gives the same error.
_TYPES = {
    exception.ValidationError: "HTTPBadRequest",
    exception.FloatingIpNotFound: "FloatingIPNotFound",
    exception.NoMoreFixedIps: "IpAddressGenerationFailure",
    exception.NoMoreFloatingIps: "ExternalIpAddressExhausted",
    exception.FixedIpAlreadyInUse: "IpAddressInUse",
    exception.SecurityGroupRuleExists: "SecurityGroupRuleExists",
}
_WEBOB_TYPES = {404: "HTTPNotFound", 405: "HTTPMethodNotAllowed",
                400: "HTTPBadRequest", 401: "HTTPUnauthorized",
                406: "HTTPNotAcceptable", 413: "HTTPRequestEntityTooLarge"}


def is_public(request):
    return request.method in ("GET", "HEAD") and request.path in _PUBLIC


def error_type(error, status):
    """The ``type`` of a NeutronError body."""
    if status >= 500 and not getattr(error, "safe", False):
        return "HTTPInternalServerError"
    for cls in type(error).__mro__:
        if cls in _TYPES:
            return _TYPES[cls]
    if isinstance(error, exception.NimbusException):
        return type(error).__name__
    if isinstance(error, webob.exc.HTTPException):
        return _WEBOB_TYPES.get(status, type(error).__name__)
    return "HTTPInternalServerError"


class NetworkDialect(http.AuthenticatedDialect):
    """Networking v2 subset: networks, subnets, ports, security groups
    and rules, floating IPs, quotas."""

    prefixes = ("network",)
    root_class = root.NetworkRoot
    is_public = staticmethod(is_public)

    def error_response(self, request, error):
        mapped = faults.fault(request, error)
        body = {"NeutronError": {"type": error_type(error, mapped.status),
                                 "message": mapped.message, "detail": ""}}
        return faults.response(mapped, "application/json", json.dumps(body))
