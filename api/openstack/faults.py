"""Nova's fault JSON: ``{"<name>": {"code": N, "message": "..."}}``."""

import json

import webob

from nimbus.core import exception

_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden",
    404: "itemNotFound", 405: "badMethod", 409: "conflictingRequest",
    413: "overLimit", 415: "badMediaType", 406: "notAcceptable",
    501: "notImplemented", 503: "serviceUnavailable",
}


def status_and_message(error):
    """Return ``(status, message)`` for any exception."""
    if isinstance(error, exception.NimbusException):
        code = error.code if isinstance(error.code, int) else 500
        if code >= 500 and not error.safe:
            return 500, "Unexpected API Error. Please report this."
        return code, error.message
    if isinstance(error, webob.exc.HTTPException):
        message = error.detail or error.title
        if error.status_int == 404:
            message = "The resource could not be found."
        return error.status_int, message
    return 500, "Unexpected API Error. Please report this."


def render(error):
    status, message = status_and_message(error)
    name = _NAMES.get(status, "computeFault")
    response = webob.Response(status=status, content_type="application/json",
                              charset="utf-8")
    response.text = json.dumps({name: {"code": status, "message": message}})
    if status == 401:
        response.headers["WWW-Authenticate"] = "Keystone uri='nimbus'"
    if isinstance(error, webob.exc.HTTPMethodNotAllowed):
        response.headers["Allow"] = error.headers.get("Allow", "")
    return response
