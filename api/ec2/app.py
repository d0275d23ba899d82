"""The EC2 Query API as a WSGI application.

One request is one action: ``Action`` and its parameters arrive as a
form-encoded POST body (what boto3 and the AWS CLI send) or a GET query
string; the request is signed (:mod:`.signing`); the answer is XML in the
EC2 namespace (:mod:`.xmlout`). Every failure is an EC2 error document
with the AWS code clients test for: nothing else ever leaves this app, a
bug included (``InternalError``, 500, no detail).

The same application serves ``[ec2] bind_host:bind_port`` at ``/`` and,
through :class:`~nimbus.api.ec2.dialect.EC2Dialect`, ``/services/Cloud``
on the API's own port.
"""

import time

import webob
from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.api import requestlog
from nimbus.api.ec2 import actions, auth, params, xmlout
from nimbus.core import context as nimbus_context
from nimbus.core import exception

LOG = logging.getLogger(__name__)

def error_response(error, request_id, request=None):
    """Render any exception as an EC2 error document (never raises).

    A client error keeps its status (botocore reads the ``Code``, not the
    status: AWS answers most with 400, nimbus with the status the error
    family has, e.g. 404 for ``InvalidInstanceID.NotFound``). An outage
    (``ServiceUnavailable``) answers 503 with ``Retry-After``.
    """
    status, code = 500, "InternalError"
    message = "An internal error has occurred."
    if isinstance(error, exception.NimbusException):
        raw = error.code if isinstance(error.code, int) else 500
        if raw < 500 or error.safe:
            status, code, message = raw, error.ec2_code, error.message
        else:
            LOG.error("EC2 request %s failed: %s", request_id, error,
                      exc_info=error)
    elif isinstance(error, webob.exc.HTTPException) and \
            error.status_int < 500:
        status, code = error.status_int, "InvalidRequest"
        message = error.detail or error.title
    else:
        LOG.error("Unexpected error in EC2 request %s", request_id,
                  exc_info=error)
    response = webob.Response(status=status,
                              content_type="text/xml", charset="utf-8")
    response.body = xmlout.error(code, message, request_id)
    if status == 503:
        environ = request.environ if request is not None else {}
        response.headers["Retry-After"] = str(
            environ.get("nimbus.retry_after", 10))
    return response


def read_body(request, limit):
    """The raw body, at most ``limit`` bytes.

    :raises Ec2Error: larger than that.
    """
    too_large = exception.Ec2Error(
        "InvalidParameterValue", f"The request body is larger than "
        f"{limit} bytes.")
    if request.content_length and request.content_length > limit:
        raise too_large
    raw = request.body_file.read(limit + 1) if request.is_body_readable \
        else b""
    if len(raw) > limit:
        raise too_large
    return raw


def _form_type(request):
    kind = request.environ.get("nimbus.form_content_type") or \
        (request.content_type or "").lower()
    return kind == "application/x-www-form-urlencoded"


class Ec2App:
    """WSGI callable answering EC2 Query API requests.

    :param conf: the configuration (``[ec2]``, ``[api]``).
    :param services: the API's :class:`~nimbus.api.app.Services`.
    """

    def __init__(self, conf, services):
        self.conf = conf
        self.services = services

    def __call__(self, environ, start_response):
        # On its own port; on the API's, RequestIdMiddleware logs it.
        started = time.monotonic()
        request = webob.Request(environ)
        response = self.respond(request)
        requestlog.log_request(environ, response.status, started)
        return response(environ, start_response)

    def respond(self, request):
        """Answer ``request`` with a ``webob.Response`` (never raises)."""
        request_id = request.environ.setdefault(
            "nimbus.request_id", "req-" + uuidutils.generate_uuid())
        nimbus_context.start_request(request_id)
        request.environ.setdefault("nimbus.retry_after",
                                   self.conf.api.retry_after)
        try:
            return self._handle(request, request_id)
        except Exception as error:
            return error_response(error, request_id, request)

    def _handle(self, request, request_id):
        if request.method not in ("GET", "POST"):
            raise exception.Ec2Error(
                "InvalidRequest", "The EC2 API takes GET and POST "
                "requests only.", 400)
        body = read_body(request, self.conf.api.max_request_body_size)
        pairs = params.parse_pairs(
            request.environ.get("QUERY_STRING", "").encode("latin-1"))
        if request.method == "POST" and _form_type(request):
            pairs += params.parse_pairs(body)
        context = auth.authenticate(self.conf, self.services, request, body,
                                    pairs)
        parsed = params.Params(pairs)
        name = parsed.get("Action")
        if not name:
            raise exception.Ec2Error("MissingAction",
                                     "The request must contain the "
                                     "parameter Action")
        handler = actions.ACTIONS.get(name)
        if handler is None:
            raise exception.Ec2Error(
                "InvalidAction", f"The action {name} is not valid for this "
                "web service.")
        call = actions.Call(self.conf, self.services, context, parsed)
        result = handler(call)
        response = webob.Response(status=200, content_type="text/xml",
                                  charset="utf-8")
        response.body = xmlout.response(name, request_id, result)
        return response
