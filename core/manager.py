"""Base class of the service managers (the RPC endpoints of a service)."""

import oslo_messaging as messaging


class Manager:
    """An RPC endpoint plus the service's start-up and periodic work.

    Subclasses set ``target`` (``messaging.Target(version=...)``) and add
    their RPC methods. :class:`nimbus.core.service.Service` calls
    :meth:`init_host` before it starts consuming RPC, runs
    :meth:`periodic_tasks` on a thread, and calls :meth:`cleanup_host` on
    stop.
    """

    target = messaging.Target(version="1.0")

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host

    def init_host(self):
        """Prepare the host and reconcile state before serving RPC."""

    def after_start(self):
        """Called once the RPC server consumes (e.g. report inventory)."""

    def cleanup_host(self):
        """Release resources on stop."""

    def periodic_tasks(self):
        """Return ``[(callable, spacing_seconds)]`` to run periodically.

        Each callable takes no argument; a spacing <= 0 disables it.
        """
        return []

    def additional_endpoints(self):
        """Extra RPC endpoint objects served beside this manager."""
        return []
