"""The ``keystone`` strategy: tokens validated by keystonemiddleware.

:func:`wrap` puts keystonemiddleware's ``auth_token`` in front of the
application with ``delay_auth_decision`` (so version documents stay
public); it reads ``[keystone_authtoken]`` from nimbus's configuration.
auth_token answers a 401 of the app with its own ``WWW-Authenticate``
naming ``www_authenticate_uri`` (the Keystone that issues tokens), so
the dialects' challenges, which name nimbus's identity dialect, are
dropped first.
:func:`authenticate` then builds the context from the headers it sets,
as Nova's ``NovaKeystoneContext`` does.
"""

from nimbus.core import context as nimbus_context
from nimbus.core import exception


def _drop_challenges(app):
    """Strip the app's ``WWW-Authenticate`` headers from its responses."""
    def middleware(environ, start_response):
        def _start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers
                       if k.lower() != "www-authenticate"]
            return start_response(status, headers, exc_info)
        return app(environ, _start)
    return middleware


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
    return auth_token.AuthProtocol(_drop_challenges(app), {
        "oslo_config_config": conf, "delay_auth_decision": True})


def authenticate(conf, request, services=None):
    """Build the context from auth_token's ``X-*`` headers.

    :raises Unauthenticated: no token, or one Keystone did not confirm.
    """
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
