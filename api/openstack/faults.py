"""Nova's fault JSON: ``{"<name>": {"code": N, "message": "..."}}``.

The status, message and headers come from :mod:`nimbus.api.faults`; this
module only names the fault and writes the body.
"""

import json

from nimbus.api import faults

_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden",
    404: "itemNotFound", 405: "badMethod", 409: "conflictingRequest",
    413: "overLimit", 415: "badMediaType", 406: "notAcceptable",
    501: "notImplemented", 503: "serviceUnavailable",
}


def render(request, error):
    """Return the ``webob.Response`` Nova would send for ``error``."""
    mapped = faults.fault(request, error)
    name = _NAMES.get(mapped.status, "computeFault")
    body = {name: {"code": mapped.status, "message": mapped.message}}
    return faults.response(mapped, "application/json", json.dumps(body))
