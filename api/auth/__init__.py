"""Authentication strategies for token-based dialects (``[api]
auth_strategy``): each turns a request into a RequestContext or raises
Unauthenticated."""

from nimbus.api.auth import noauth2

_STRATEGIES = {"noauth2": noauth2.authenticate}


def authenticate(conf, request):
    """Return the :class:`RequestContext` of ``request``."""
    return _STRATEGIES[conf.api.auth_strategy](conf, request)
