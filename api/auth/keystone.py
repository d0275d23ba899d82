"""The ``keystone`` strategy: tokens validated by keystonemiddleware.

:func:`wrap` puts keystonemiddleware's ``auth_token`` in front of the
application with ``delay_auth_decision`` (so version documents stay
public); it reads ``[keystone_authtoken]`` from nimbus's configuration.
:func:`authenticate` then builds the context from the headers it sets,
as Nova's ``NovaKeystoneContext`` does.
"""

from nimbus.core import context as nimbus_context
from nimbus.core import exception


def wrap(conf, app):
    """Return ``app`` behind keystonemiddleware's auth_token.

    :raises ConfigError: keystonemiddleware is not installed.
    """
    try:
        from keystonemiddleware import auth_token
    except ImportError:
        raise exception.ConfigError(
            reason="auth_strategy = keystone needs keystonemiddleware "
                   "(pip install nimbus[keystone])")
    return auth_token.AuthProtocol(app, {
        "oslo_config_config": conf, "delay_auth_decision": True})


def authenticate(conf, request, services=None):
    headers = request.headers
    if headers.get("X-Identity-Status") != "Confirmed" or \
            not headers.get("X-User-Id"):
        raise exception.Unauthenticated()
    roles = [r.strip() for r in headers.get("X-Roles", "").split(",")
             if r.strip()]
    return nimbus_context.RequestContext(
        user_id=headers["X-User-Id"],
        project_id=headers.get("X-Project-Id"),
        user_name=headers.get("X-User-Name"),
        project_name=headers.get("X-Project-Name"),
        roles=roles, is_admin="admin" in roles,
        auth_token=headers.get("X-Auth-Token"),
        remote_address=request.remote_addr,
        request_id=request.environ.get("nimbus.request_id"))
