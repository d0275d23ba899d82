"""Request helpers shared by the identity and image dialects."""

import json

import jsonschema
import pecan

from nimbus.core import exception, policy


class RequestTooLarge(exception.NimbusException):
    msg_fmt = "Request is too large."
    code = 413
    safe = True


def reply(body=None, status=200, headers=None):
    response = pecan.response
    response.status = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if body is None:
        response.body = b""
        response.content_type = None
    else:
        response.content_type = "application/json"
        response.charset = "utf-8"
        response.text = json.dumps(body)
    return response


def allow(*methods):
    if pecan.request.method not in methods + ("HEAD",):
        pecan.abort(405, headers={"Allow": ", ".join(methods)})


def body(schema):
    """Parse and validate the JSON body (400 when it does not fit)."""
    request = pecan.request
    if request.environ.get("nimbus.body_too_large"):
        raise RequestTooLarge()
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise exception.Invalid(reason="Malformed request body")
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "body"
        raise exception.ValidationError(field=where, reason=err.message)
    return data


def context():
    return pecan.request.context["nimbus"]


def services():
    return pecan.request.context["services"]


def authorize(action, target=None):
    policy.authorize(pecan.request.context["conf"], context(), action,
                     target)


def may(action, target=None):
    return policy.check(pecan.request.context["conf"], context(), action,
                        target)


def base_url():
    conf_url = pecan.request.context.get("public_endpoint")
    return (conf_url or pecan.request.host_url).rstrip("/")


class AuthHook(pecan.hooks.PecanHook):
    """Authenticate every request of a dialect except its public ones.

    :param public: ``callable(request) -> bool``.
    """

    priority = 10

    def __init__(self, conf, services, public):
        self.conf = conf
        self.services = services
        self.public = public

    def on_route(self, state):
        from nimbus.api import auth
        request = state.request
        request.context["services"] = self.services
        request.context["conf"] = self.conf
        request.context["public_endpoint"] = self.conf.api.public_endpoint
        if not self.public(request):
            request.context["nimbus"] = auth.authenticate(
                self.conf, request, self.services)
