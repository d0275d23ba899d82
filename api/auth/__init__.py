"""Authentication strategies for token-based dialects (``[api]
auth_strategy``): each turns a request into a RequestContext or raises
Unauthenticated.

* ``nimbus``: Fernet tokens issued by nimbus's own identity dialect.
* ``keystone``: keystonemiddleware's ``auth_token`` validated the token
  against a real Keystone and left the result in ``X-*`` headers.
* ``noauth2``: development only; the token names the caller.
"""

from nimbus.api.auth import keystone, nimbus_tokens, noauth2

_STRATEGIES = {"noauth2": noauth2.authenticate,
               "nimbus": nimbus_tokens.authenticate,
               "keystone": keystone.authenticate}


def authenticate(conf, request, services=None):
    """Return the :class:`RequestContext` of ``request``."""
    return _STRATEGIES[conf.api.auth_strategy](conf, request, services)


def wrap_app(conf, app):
    """Wrap the WSGI app in the strategy's middleware, if it has one."""
    if conf.api.auth_strategy == "keystone":
        return keystone.wrap(conf, app)
    return app
