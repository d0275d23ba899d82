"""Server diagnostics on the compute host (rpcapi 1.11): what the
hypervisor plugin measures of a running guest.

:class:`DiagnosticsManagerMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager`; it relies on its
``driver``.
"""

import oslo_messaging as messaging

from nimbus.core import exception
from nimbus.core.interfaces import power_state


class DiagnosticsManagerMixin:
    """get_diagnostics."""

    @messaging.expected_exceptions(exception.NimbusException)
    def get_diagnostics(self, context, instance):
        """The plugin's
        :class:`~nimbus.core.interfaces.guest.GuestDiagnostics` of the
        guest, as a ``dict``; the hypervisor, not the record, says
        whether it runs (Nova's check).

        :raises InstanceInvalidState: the guest is not running.
        """
        state = self.driver.get_info(instance.uuid).power_state
        if state != power_state.RUNNING:
            raise exception.InstanceInvalidState(
                action="get_diagnostics", instance_uuid=instance.uuid,
                attr="power_state",
                state=power_state.NAMES.get(state, state))
        return self.driver.get_diagnostics(instance.uuid).to_dict()
