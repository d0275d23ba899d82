"""The WSGI application: request ids, size limits, and the dialects.

Every enabled dialect (``[api] enabled_dialects``) is loaded through
:mod:`nimbus.core.loading` and mounted under its prefixes. Any exception
reaching the top is rendered by the dialect that owns the path, so callers
never see a stack trace or an HTML error page.
"""

import time

import pecan
import webob
from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.api import argspecs, auth, requestlog
from nimbus.core import (
    admin_api,
    exception,
    keypairs,
    loading,
    metrics,
    quota_api,
    usage_api,
)
from nimbus.core import context as nimbus_context
from nimbus.core.compute import api as compute_api
from nimbus.core.ec2 import credentials as ec2_credentials
from nimbus.core.ec2 import ids as ec2_ids
from nimbus.core.identity import api as identity_api
from nimbus.core.identity import manage as identity_manage

LOG = logging.getLogger(__name__)


class Services:
    """The core APIs handed to dialects: the API's only way into the
    kernel.

    :param conf: the configuration.
    :param db: the database API the daemon set up
        (:func:`nimbus.core.db.setup.use_database`); passed on to the
        service APIs, never used here.
    """

    def __init__(self, conf, db):
        self.compute = compute_api.ComputeAPI(conf, db)
        self.admin = admin_api.AdminAPI(conf, db)
        self.images = self.compute.images
        self.keypairs = keypairs.KeypairAPI(conf, db)
        self.quotas = quota_api.QuotaAPI(conf, db)
        self.usage = usage_api.UsageAPI(conf, db)
        self.identity = identity_api.IdentityAPI(conf, db)
        self.identity_admin = identity_manage.IdentityAdmin(conf, db)
        self.ec2_credentials = ec2_credentials.CredentialAPI(conf, db)
        self.ec2_ids = ec2_ids.Ec2IdAPI(conf, db)
        # One of each: the compute API's own, so a process holds one
        # set of quota checkers, allocators and RPC clients per area.
        self.network = self.compute.network
        self.volume = self.compute.volumes


class Request(pecan.core.Request):
    """pecan's request without the traceback pecan logs when bytes do
    not decode. pecan reads a JSON body for the handler's keyword
    arguments: an undecodable one is left to the dialect's body parser
    (a 400 in the dialect's format; pecan ignores it for arguments).
    Any other undecodable part is a 400, as pecan answers it."""

    def __getattribute__(self, name):
        try:
            return webob.Request.__getattribute__(self, name)
        except UnicodeDecodeError:
            if name in ("json", "json_body"):
                raise  # a ValueError: pecan passes no body arguments
            pecan.abort(400)


class RootController:
    """Routes the first path segment to the dialect that owns it."""

    def __init__(self, routes, default):
        self._routes = routes
        self._default = default

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        dialect = self._routes.get(segment)
        if dialect is None:
            if self._default is None:
                pecan.abort(404)
            return self._default.root_controller(), (segment,) + remainder
        return dialect.root_controller(), (segment,) + remainder

    @pecan.expose("json")
    def index(self):
        if self._default is None:
            pecan.abort(404)
        return self._default.root_controller().index()


def _owner(routes, default, request):
    # The WSGI path, not ``request.path``: a path whose bytes are not
    # UTF-8 still has an owner to answer its 400.
    path = request.environ.get("PATH_INFO", "")
    segment = path.strip("/").split("/", 1)[0]
    return routes.get(segment, default)


class ScopedHook(pecan.hooks.PecanHook):
    """Runs a dialect's hook only on requests that dialect owns."""

    def __init__(self, hook, dialect, routes, default):
        self.hook = hook
        self.dialect = dialect
        self.routes = routes
        self.default = default
        self.priority = hook.priority

    def _mine(self, state):
        return _owner(self.routes, self.default, state.request) is \
            self.dialect

    def on_route(self, state):
        if self._mine(state):
            self.hook.on_route(state)

    def before(self, state):
        if self._mine(state):
            self.hook.before(state)

    def after(self, state):
        if self._mine(state):
            self.hook.after(state)


class ErrorHook(pecan.hooks.PecanHook):
    """Turns any exception into the owning dialect's error response."""

    def __init__(self, routes, default):
        self._routes = routes
        self._default = default

    def on_error(self, state, error):
        request = state.request
        dialect = _owner(self._routes, self._default, request)
        if not isinstance(error, (exception.NimbusException,
                                  webob.exc.HTTPException)):
            LOG.exception("Unexpected error serving %(method)s %(path)s",
                          {"method": request.method, "path": request.path})
        elif isinstance(error, exception.ServiceUnavailable):
            # Expected while a backend is down: one line, no traceback.
            LOG.warning("%(method)s %(path)s refused: %(error)s",
                        {"method": request.method, "path": request.path,
                         "error": error})
        elif getattr(error, "code", 0) >= 500:
            # The caller sees a safe message; the operator needs the cause.
            LOG.error("Error serving %(method)s %(path)s: %(error)s",
                      {"method": request.method, "path": request.path,
                       "error": error}, exc_info=error)
        if dialect is None:
            return webob.Response(status=500)
        return dialect.error_response(request, error)


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class RequestIdMiddleware:
    """Give each request an id (echoed back) and cap the body size."""

    def __init__(self, app, max_body, retry_after=10):
        self.app = app
        self.max_body = max_body
        self.retry_after = retry_after

    def __call__(self, environ, start_response):
        started = time.monotonic()
        request_id = "req-" + uuidutils.generate_uuid()
        environ["nimbus.request_id"] = request_id
        nimbus_context.start_request(request_id)
        environ["nimbus.max_body"] = self.max_body
        environ["nimbus.retry_after"] = self.retry_after
        length = environ.get("CONTENT_LENGTH") or "0"
        if length.isascii() and length.isdigit() and \
                int(length) > self.max_body:
            environ["nimbus.body_too_large"] = True
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind in _FORM_TYPES:
            # Keep webob from parsing a form (a malformed one raises deep
            # in routing); the JSON parser answers 415 instead.
            environ["nimbus.form_content_type"] = kind
            # as sent: the EC2 dialect checks signatures over it
            environ["nimbus.content_type"] = environ["CONTENT_TYPE"]
            environ["CONTENT_TYPE"] = "application/octet-stream"

        answered = {"status": "500"}

        def _start(status, headers, exc_info=None):
            answered["status"] = status
            headers.append(("x-openstack-request-id", request_id))
            headers.append(("x-compute-request-id", request_id))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, _start)
        finally:
            requestlog.log_request(environ, answered["status"], started)


def load_dialects(conf, services):
    dialects = [loading.load_driver(loading.API_DIALECTS, name, conf,
                                    services)
                for name in conf.api.enabled_dialects]
    routes, default = {}, None
    for dialect in dialects:
        for prefix in dialect.prefixes:
            if prefix == "":
                default = dialect
            else:
                routes[prefix] = dialect
    return routes, default


def setup_app(conf, services):
    """Return the WSGI application.

    :param services: the :class:`Services` the dialects call.
    """
    argspecs.remember_argspecs()
    routes, default = load_dialects(conf, services)
    hooks = [ErrorHook(routes, default)]
    for dialect in set(routes.values()) | ({default} - {None}):
        hooks += [ScopedHook(h, dialect, routes, default)
                  for h in dialect.hooks()]
    app = pecan.make_app(
        RootController(routes, default), hooks=hooks,
        force_canonical=False, guess_content_type_from_ext=False,
        debug=False, request_cls=Request)
    return metrics.api_middleware(RequestIdMiddleware(
        auth.wrap_app(conf, app), conf.api.max_request_body_size,
        conf.api.retry_after))
