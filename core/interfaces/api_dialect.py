"""The API dialect contract: one way of speaking to nimbus over HTTP.

A dialect is registered in ``nimbus.api.dialects`` and enabled by
``[api] enabled_dialects``. The API service asks each enabled dialect for
a root controller and mounts it; dialects translate requests onto the
core compute API and never touch the database or RPC themselves.
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

    #: URL path prefixes this dialect serves, e.g. ``("", "/v2.1")``.
    prefixes = ()

    def __init__(self, conf, services):
        self.conf = conf
        self.services = services

    @abc.abstractmethod
    def root_controller(self):
        """Return the pecan controller serving the dialect's paths."""

    def hooks(self):
        """Return pecan hooks to run on this dialect's requests only."""
        return []

    @abc.abstractmethod
    def error_response(self, request, error):
        """Render ``error`` (any exception) in the dialect's error format.

        :returns: a ``webob.Response`` with a 4xx/5xx status; MUST NOT raise
            and MUST NOT expose a stack trace.
        """
