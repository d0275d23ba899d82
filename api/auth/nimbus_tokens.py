"""The ``nimbus`` strategy: tokens issued by nimbus's identity dialect."""

from nimbus.core import context as nimbus_context
from nimbus.core import exception


def authenticate(conf, request, services):
    token = request.headers.get("X-Auth-Token")
    if not token:
        raise exception.Unauthenticated()
    ctx = nimbus_context.get_admin_context()
    info = services.identity.validate(ctx, token)
    return nimbus_context.RequestContext(
        user_id=info["user_id"], project_id=info["project_id"],
        roles=info["roles"], is_admin="admin" in info["roles"],
        auth_token=token, remote_address=request.remote_addr,
        request_id=request.environ.get("nimbus.request_id"))
