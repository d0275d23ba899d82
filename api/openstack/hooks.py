"""Per-request work of the OpenStack dialect: auth, microversions and
the check of answers against their schemas."""

import json
import types

import pecan
from oslo_log import log as logging

from nimbus.api import auth
from nimbus.api.openstack import microversion, responses

LOG = logging.getLogger(__name__)

# Version documents are served without a token (clients discover first).
PUBLIC_PATHS = {"/", "/v2.1", "/v2.1/", "/v2.1/openapi.json"}


class OpenStackHook(pecan.hooks.PecanHook):
    """Authenticate, parse the microversion, expose the core APIs."""

    priority = 10

    def __init__(self, conf, services):
        self.conf = conf
        self.services = services

    def on_route(self, state):
        request = state.request
        request.context["services"] = self.services
        request.context["conf"] = self.conf
        request.context["max_limit"] = self.conf.api.max_limit
        request.context["public_endpoint"] = self.conf.api.public_endpoint
        if request.path in PUBLIC_PATHS:
            return
        request.context["nimbus"] = auth.authenticate(self.conf, request,
                                                      self.services)
        version = microversion.requested(request.headers)
        request.context["api_version"] = version

    def after(self, state):
        version = state.request.context.get("api_version")
        if version is not None:
            for name, value in microversion.response_headers(version):
                state.response.headers[name] = value
        mode = self.conf.api.response_validation
        if mode != "ignore":
            check_answer(state.request, state.response, mode)


def check_answer(request, response, mode):
    """Check a 2xx answer against its route's schema at the request's
    microversion (:mod:`nimbus.api.openstack.responses`): its JSON body,
    or that it has none where Nova sends none.

    :param mode: ``warn`` logs the first error; ``error`` also replaces
        the answer with a 500 fault naming it (for tests).
    """
    if not 200 <= response.status_int < 300 or request.method == "HEAD":
        return
    ctx = request.context.get("nimbus")
    route = responses.route(request.path,
                            getattr(ctx, "project_id", None))
    if route is None:
        return
    version = request.context.get("api_version") or \
        microversion.MIN_VERSION
    action = _action(request, route)
    raw = _body(response)
    if not raw:
        problem = responses.error(request.method, route, version, None,
                                  action)
    elif response.content_type != "application/json":
        # not this dialect's JSON (a console's HTML, say): unchecked
        if responses.schema(request.method, route, version, action) \
                is not responses.NO_BODY:
            return
        problem = responses.error(request.method, route, version, raw,
                                  action)
    else:
        try:
            body = json.loads(raw)
        except ValueError:
            problem = "not JSON"
        else:
            problem = responses.error(request.method, route, version,
                                      body, action)
    if problem is None:
        return
    where = f"{request.method} {route}" + (f" ({action})" if action else "")
    message = (f"Response of {where} at "
               f"{microversion.text(version)} does not match its schema: "
               f"{problem}")
    LOG.warning("%s", message)
    if mode == "error":
        response.status = 500
        response.headers.pop("Location", None)
        response.content_type = "application/json"
        response.text = json.dumps(
            {"computeFault": {"code": 500, "message": message}})


def _action(request, route):
    """The action an action route's request names (its body's one key),
    else None."""
    if (request.method, route) not in responses.ACTION_ROUTES:
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    if isinstance(data, dict) and len(data) == 1:
        return next(iter(data))
    return None


def _body(response):
    """The answer's bytes. A generator body (how an empty 200 stays a 200
    in pecan, which runs these hooks first) is read and put back as a
    generator."""
    if isinstance(response.app_iter, types.GeneratorType):
        chunks = list(response.app_iter)
        response.app_iter = (chunk for chunk in chunks)
        return b"".join(chunks)
    return response.body
