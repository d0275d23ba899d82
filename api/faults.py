"""The fault mapping every OpenStack-family dialect shares.

:func:`fault` turns any exception reaching a dialect into a :class:`Fault`:
the HTTP status, the message a caller may see and the headers the status
needs (``WWW-Authenticate`` on 401, ``Allow`` on 405, ``Retry-After``
on 503). A dialect only
wraps it in its own body format (Nova's ``{"itemNotFound": {...}}``,
Keystone's ``{"error": {...}}``, Glance's text) with :func:`response`.

A :class:`~nimbus.core.exception.NimbusException` answers with its
``code`` and message, unless it is a 5xx not marked ``safe``; a webob
``HTTPException`` (pecan's routing errors) with its own status; anything
else is a bug and answers 500 with a fixed message, so no stack trace or
internal detail ever reaches a caller. An outage of the database or the
message broker arrives as :class:`~nimbus.core.exception.ServiceUnavailable`
(503, safe), never as a bug.
"""

import collections

import webob
import webob.exc

from nimbus.core import exception

UNEXPECTED = "Unexpected API Error. Please report this."
NOT_FOUND = "The resource could not be found."
#: ``Retry-After`` of a 503 when the request did not pass
#: :class:`~nimbus.api.app.RequestIdMiddleware` (``[api] retry_after``).
RETRY_AFTER = 10

Fault = collections.namedtuple("Fault", ["status", "message", "headers"])


def status_and_message(error):
    """Return ``(status, message)`` for any exception."""
    if isinstance(error, exception.NimbusException):
        code = error.code if isinstance(error.code, int) else 500
        if code >= 500 and not error.safe:
            return 500, UNEXPECTED
        return code, error.message
    if isinstance(error, webob.exc.HTTPException):
        if error.status_int == 404:
            return 404, NOT_FOUND
        return error.status_int, error.detail or error.title
    return 500, UNEXPECTED


def challenge(request):
    """The ``WWW-Authenticate`` value of a 401: nimbus's identity dialect
    issues the tokens (the ``keystone`` strategy replaces it)."""
    return f'Keystone uri="{request.host_url}/identity"'


def retry_after(request):
    """The ``Retry-After`` value (seconds) of a 503 to ``request``."""
    return str(request.environ.get("nimbus.retry_after", RETRY_AFTER))


def fault(request, error):
    """Map ``error`` onto what any OpenStack-family dialect answers.

    :param request: the ``webob.Request`` that failed.
    :param error: any exception.
    :returns: a :class:`Fault`; never raises.
    """
    status, message = status_and_message(error)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = challenge(request)
    if status == 503:
        headers["Retry-After"] = retry_after(request)
    if isinstance(error, webob.exc.HTTPMethodNotAllowed):
        headers["Allow"] = error.headers.get("Allow", "")
    return Fault(status, message, headers)


def response(mapped, content_type, text):
    """Return a ``webob.Response`` with a :class:`Fault`'s status and
    headers and ``text`` (already in the dialect's format) as body."""
    resp = webob.Response(status=mapped.status, content_type=content_type,
                          charset="utf-8")
    resp.text = text
    resp.headers.update(mapped.headers)
    return resp
