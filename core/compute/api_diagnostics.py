"""Server diagnostics of the compute API: what the hypervisor of the
server's host measures of its running guest.

:class:`DiagnosticsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_capable`` and ``compute_rpc``.
"""

from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.interfaces import guest


class DiagnosticsMixin:
    """get_diagnostics."""

    def get_diagnostics(self, context, uuid):
        """Ask the server's host what its hypervisor measures of the
        guest.

        :returns: ``(GuestDiagnostics, uptime)``: uptime in seconds since
            the server was last launched, or None if it never was.
        :raises InstanceNotFound: no such server (404).
        :raises InstanceNotReady: the server is on no host (409).
        :raises ActionNotSupportedByHost: the host's plugin offers no
            diagnostics (409).
        :raises InstanceInvalidState: the guest is not running (409, from
            the host).
        """
        instance = self.get(context, uuid)
        if instance.host is None:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        self._check_capable(context, instance, "get_diagnostics")
        data = self.compute_rpc.get_diagnostics(context, instance)
        uptime = None
        if instance.launched_at is not None:
            uptime = int(timeutils.delta_seconds(
                timeutils.normalize_time(instance.launched_at),
                timeutils.utcnow()))
        return guest.GuestDiagnostics.from_dict(data), uptime
