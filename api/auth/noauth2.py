"""noauth2: a development-only strategy parsing tokens as Nova's did.

The token is ``user:project`` (the project falls back to the user); user
``admin`` is an admin. No token is a 401 (Nova answered an old handshake
with 204; no current client uses it). Never enable this in production: any
caller can claim to be anyone.
"""

from nimbus.core import context as nimbus_context
from nimbus.core import exception


def authenticate(conf, request, services=None):
    token = request.headers.get("X-Auth-Token")
    if not token:
        raise exception.Unauthenticated()
    user_id, _, project_id = token.partition(":")
    project_id = project_id or user_id
    is_admin = user_id == "admin"
    roles = ["admin", "member", "reader"] if is_admin else \
        ["member", "reader"]
    return nimbus_context.RequestContext(
        user_id=user_id, project_id=project_id, is_admin=is_admin,
        roles=roles, remote_address=request.remote_addr,
        request_id=request.environ.get("nimbus.request_id"))
