"""Hot-plugging a server's NICs (``os-interface``) in the compute API.

:class:`ServerNetworkMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_lock``, ``_check_capable``, ``db`` and ``compute_rpc``.

Nova's rules: the server must be active, paused or stopped with no task
in progress and not locked (unless the caller is an admin), and its
host's hypervisor must declare ``vif_hotplug``; all of it is checked
before anything is recorded. The compute host then allocates the port
(through nimbus-network), plugs it and hot-plugs it into the guest, or
gives the port back if that fails.
"""

from nimbus.core import exception
from nimbus.core.compute import vm_states

#: vm_states a NIC may be attached in or detached from (Nova's).
HOTPLUG_STATES = (vm_states.ACTIVE, vm_states.PAUSED, vm_states.STOPPED)


class ServerNetworkMixin:
    """attach_interface / detach_interface."""

    def _check_hotplug(self, context, uuid, action):
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state not in HOTPLUG_STATES:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="vm_state",
                state=instance.vm_state)
        if instance.task_state is not None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="task_state",
                state=instance.task_state)
        if instance.host is None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="host",
                state=None)
        self._check_capable(context, instance, action)
        return instance

    def attach_interface(self, context, uuid, network_id=None,
                         port_id=None, fixed_ip=None, tag=None):
        """Give the running server a new NIC and return its VIF dict.

        :param network_id: a network to make a new port on (the default
            network when neither it nor ``port_id`` is given).
        :param port_id: an existing, unbound port of the caller's.
        :param fixed_ip: the address to take on ``network_id``.
        :param tag: the NIC's device tag (2.49), kept on its port (shown
            from 2.70).
        :raises InstanceInvalidState: wrong state (409).
        :raises ActionNotSupportedByHost: no ``vif_hotplug`` (409).
        :raises NetworkInterfaceTaggedAttachNotSupported: a ``tag`` and
            the host's hypervisor does not declare
            ``supports_tagged_attach_interface`` (400, as Nova).
        :raises NetworkNotFound, PortNotFound, PortInUse,
            FixedIpAlreadyInUse, NoMoreFixedIps: from the network service.
        """
        instance = self._check_hotplug(context, uuid, "attach_interface")
        if tag:
            self._check_tagged_attach(context, instance, "interface")
        self.db.actions.action_start(context, uuid, "attach_interface")
        vif = self.compute_rpc.attach_interface(
            context, instance, network_id=network_id, port_id=port_id,
            fixed_ip=fixed_ip)
        if tag:
            self.db.ports.set_tag(context, vif["id"], instance.uuid, tag)
        return vif

    def detach_interface(self, context, uuid, port_id):
        """Unplug the server's NIC ``port_id`` and delete its port (a
        port the user made is kept, unbound, as Neutron does)."""
        instance = self._check_hotplug(context, uuid, "detach_interface")
        self.db.actions.action_start(context, uuid, "detach_interface")
        self.compute_rpc.detach_interface(context, instance, port_id)
