"""Each request logs under its own id and caller, never a previous one's."""

from oslo_context import context as oslo_context

from nimbus.api import app as api_app
from nimbus.core import context as nimbus_context


def _seen_by(middleware, environ=None):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["headers"] = dict(headers)

    middleware(dict(environ or {}, REQUEST_METHOD="GET", PATH_INFO="/"),
               start_response)
    return seen


def test_unauthenticated_request_does_not_log_as_the_previous_caller():
    current = {}

    def inner(environ, start_response):
        if environ.get("authenticated"):
            # what an auth middleware does for a known caller
            nimbus_context.RequestContext(
                user_id="admin-user", project_id="admin-project",
                request_id=environ["nimbus.request_id"], overwrite=True)
        ctx = oslo_context.get_current()
        current[environ["nimbus.request_id"]] = (ctx.request_id, ctx.user_id,
                                                 ctx.project_id)
        start_response("200 OK", [])
        return [b""]

    middleware = api_app.RequestIdMiddleware(inner, max_body=1024)
    first = _seen_by(middleware, {"authenticated": True})
    second = _seen_by(middleware)
    first_id = first["headers"]["x-openstack-request-id"]
    second_id = second["headers"]["x-openstack-request-id"]
    assert first_id != second_id
    assert current[first_id] == (first_id, "admin-user", "admin-project")
    assert current[second_id] == (second_id, None, None)
