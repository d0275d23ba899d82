"""The API dialect contract: one way of speaking to nimbus over HTTP.

A dialect is registered in ``nimbus.api.dialects`` and enabled by
``[api] enabled_dialects``. The API service asks each enabled dialect for
a root controller and mounts it; dialects translate requests onto the
core compute API and never touch the database or RPC themselves.
:mod:`nimbus.core.testing.api_dialect` is the conformance kit.
"""

import abc

INTERFACE_VERSION = "1.0"


class APIDialect(abc.ABC):
    """Base class of API dialects.

    :param conf: the ``cfg.ConfigOpts``.
    :param services: the core APIs the dialect may call (an object with
        ``compute``: :class:`nimbus.core.compute.api.ComputeAPI`, and
        ``admin``: :class:`nimbus.core.admin_api.AdminAPI`).
    """

    #: first URL path segments this dialect serves, without slashes, e.g.
    #: ``("", "v2.1")``; ``""`` makes it the default for unclaimed paths.
    #: The root controller receives the whole path, prefix included.
    prefixes = ()

    def __init__(self, conf, services):
        self.conf = conf
        self.services = services

    @abc.abstractmethod
    def root_controller(self):
        """Return the pecan controller serving the dialect's paths.

        Called on every request, so it returns a ready object. A default
        dialect's controller (prefix ``""``) exposes ``index`` for ``/``.
        """

    def hooks(self):
        """Return pecan hooks to run on this dialect's requests only."""
        return []

    @abc.abstractmethod
    def error_response(self, request, error):
        """Render ``error`` (any exception) in the dialect's error format.

        A :class:`~nimbus.core.exception.NimbusException` whose ``code`` is
        below 500, or which is ``safe``, answers with its code and message;
        a ``webob.exc.HTTPException`` with its status; anything else with
        500 and no detail.

        :returns: a ``webob.Response`` with a 4xx/5xx status; MUST NOT raise
            and MUST NOT expose a stack trace.
        """
