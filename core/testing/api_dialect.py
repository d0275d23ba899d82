"""Conformance kit for API dialect plugins.

A plugin's own repository proves its dialect keeps the contract of
:mod:`nimbus.core.interfaces.api_dialect` by subclassing
:class:`APIDialectConformanceTests` together with ``unittest.TestCase``::

    class TestMyDialect(APIDialectConformanceTests, unittest.TestCase):
        def make_dialect(self):
            return MyDialect(conf, services)

        def check_error_body(self, response, status, message):
            super().check_error_body(response, status, message)
            ...                             # the dialect's error format

The kit checks what the API service relies on: prefixes it can route on,
a root controller, pecan hooks, and error responses that keep a client
error's status and message and hide everything of a server error.
"""

import json

import pecan
import webob
import webob.exc

from nimbus.core import exception
from nimbus.core.interfaces import api_dialect

#: statuses every dialect must render as themselves.
CLIENT_CODES = (400, 401, 403, 404, 405, 409, 413, 415)
SAFE_SERVER_CODES = (501, 503)
SECRET = "conformance-secret-detail"


def nimbus_error(code, safe=True, message=None):
    """A NimbusException of ``code`` whose message is ``message``."""
    cls = type(f"Conformance{code}Error", (exception.NimbusException,),
               {"code": code, "safe": safe})
    return cls(message or f"conformance error {code}")


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError(SECRET)


class APIDialectConformanceTests:
    """Mixin of contract tests; see the module docstring."""

    def make_dialect(self):
        raise NotImplementedError("subclasses return a plugin instance")

    def make_request(self):
        """A request to one of the dialect's paths, to render errors for."""
        prefix = next((p for p in self.dialect.prefixes if p), None)
        path = f"/{prefix}/conformance" if prefix else "/conformance"
        return webob.Request.blank(path,
                                   base_url="http://nimbus.example:8774")

    def check_error_body(self, response, status, message):
        """Check the body of an error response; extend it with the
        dialect's own error format.

        :param message: the text the body must carry, or None when only a
            generic message may appear.
        """
        self.assertTrue(response.body, "an error response has a body")
        self.assertTrue(response.content_type)
        if "json" in response.content_type:
            json.loads(response.text)
        if message is not None:
            self.assertIn(message, response.text)

    # -- helpers ------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.dialect = self.make_dialect()

    def _render(self, error):
        response = self.dialect.error_response(self.make_request(), error)
        self.assertIsInstance(response, webob.Response)
        self.assertNotIn("Traceback", response.text)
        self.assertNotIn(SECRET, response.text)
        return response

    def _assert_renders(self, error, status, message):
        response = self._render(error)
        self.assertEqual(status, response.status_int, response.text)
        self.check_error_body(response, status, message)

    # -- shape --------------------------------------------------------------

    def test_is_an_api_dialect(self):
        self.assertIsInstance(self.dialect, api_dialect.APIDialect)

    def test_prefixes_are_path_segments(self):
        prefixes = self.dialect.prefixes
        self.assertIsInstance(prefixes, (tuple, list))
        self.assertTrue(prefixes, "a dialect serves at least one prefix")
        for prefix in prefixes:
            self.assertIsInstance(prefix, str)
            self.assertNotIn("/", prefix)
        self.assertEqual(len(set(prefixes)), len(prefixes))

    def test_root_controller_is_exposed(self):
        root = self.dialect.root_controller()
        self.assertIsNotNone(root)
        self.assertTrue(any(_exposed(root, name) for name in dir(root)),
                        f"{root!r} exposes nothing to pecan")
        if "" in self.dialect.prefixes:
            self.assertTrue(_exposed(root, "index"),
                            "a default dialect's root exposes index")

    def test_hooks_are_pecan_hooks(self):
        hooks = list(self.dialect.hooks())
        for hook in hooks:
            self.assertIsInstance(hook, pecan.hooks.PecanHook)

    # -- errors -------------------------------------------------------------

    def test_client_errors_keep_status_and_message(self):
        for code in CLIENT_CODES:
            for safe in (True, False):
                with self.subTest(code=code, safe=safe):
                    error = nimbus_error(code, safe)
                    self._assert_renders(error, code, error.message)

    def test_safe_server_errors_keep_status_and_message(self):
        for code in SAFE_SERVER_CODES:
            with self.subTest(code=code):
                error = nimbus_error(code)
                self._assert_renders(error, code, error.message)

    def test_nimbus_errors_render(self):
        for error in (exception.InstanceNotFound(instance_id="i-1"),
                      exception.ImageNotFound(image_id="img-1"),
                      exception.ValidationError(field="name",
                                                reason="too long"),
                      exception.PolicyNotAuthorized(action="x:y"),
                      exception.Unauthenticated(),
                      exception.Conflict(reason="busy"),
                      exception.OverQuota(overs="instances")):
            with self.subTest(error=type(error).__name__):
                self._assert_renders(error, error.code, error.message)

    def test_webob_errors_keep_status(self):
        for error in (webob.exc.HTTPBadRequest(detail="bad conformance"),
                      webob.exc.HTTPUnauthorized(),
                      webob.exc.HTTPNotFound(),
                      webob.exc.HTTPMethodNotAllowed(
                          headers={"Allow": "GET"}),
                      webob.exc.HTTPNotAcceptable(),
                      webob.exc.HTTPRequestEntityTooLarge()):
            with self.subTest(error=type(error).__name__):
                self._assert_renders(error, error.status_int, None)

    def test_server_errors_hide_their_detail(self):
        for error in (RuntimeError(SECRET), KeyError(SECRET),
                      nimbus_error(500, safe=False, message=SECRET),
                      nimbus_error(503, safe=False, message=SECRET),
                      exception.HypervisorError(reason=SECRET),
                      _Unprintable()):
            with self.subTest(error=type(error).__name__):
                self._assert_renders(error, 500, None)


def _exposed(controller, name):
    try:
        attr = getattr(controller, name)
    except AttributeError:
        return False
    routing = name in ("_lookup", "_default", "_route") and callable(attr)
    return hasattr(attr, "_pecan") or routing
