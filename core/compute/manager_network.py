"""The compute manager's networking: a build's ports from nimbus-network,
plugged and filtered through the host side of ``[network] driver``; their
release on delete; their replay after a restart; security-group filter
and member refreshes; NIC hot-plug (see
:class:`~nimbus.core.compute.manager.ComputeManager`, which mixes this
in)."""

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.compute import hostnames
from nimbus.core.network import model as network_model

LOG = logging.getLogger(__name__)


class NetworkManagerMixin:
    """Networking of :class:`ComputeManager` (uses its ``network``,
    ``network_driver``, ``port_filters``, ``driver``, ``lock``, ``host``
    and the ``_vifs`` / ``_vifs_known`` records it keeps)."""

    def _allocate_network(self, context, instance, request_spec):
        """The server's VIF dicts from nimbus-network (none asked: no
        call at all).

        :raises BuildAbort: the addresses could not be had (another host
            would do no better).
        """
        requested = list(getattr(request_spec, "requested_networks", None)
                         or [])
        if not requested:
            return []
        try:
            vifs = self.network_bursts.allocate(
                context, instance.uuid, instance.project_id, requested,
                list(request_spec.security_groups or []),
                hostnames.of(instance),
                held_groups=self.port_filters.held_groups())
        except messaging.MessagingTimeout:
            raise exception.BuildAbort(
                instance_uuid=instance.uuid,
                reason=f"network allocation failed: nimbus-network did not "
                       f"answer within {self.conf.network.allocate_timeout}s "
                       f"(it may have stopped or restarted)") from None
        except Exception as err:
            raise exception.BuildAbort(
                instance_uuid=instance.uuid,
                reason=f"network allocation failed: "
                       f"{exception.message_of(err)}")
        self._vifs[instance.uuid] = vifs
        return vifs

    def _plug_vifs(self, uuid, vifs):
        """Plug each VIF (and filter it) through the network plugin's
        host side; returns the hypervisor's VifSpecs."""
        specs = []
        for vif in vifs:
            network, port, port_filter = network_model.to_specs(vif)
            specs.append(self.network_driver.plug_vif(network, port))
            self.port_filters.set_filter(network, port_filter,
                                         vif.get("remote_groups"))
        return specs

    def _unplug_vifs(self, vifs):
        """Undo :meth:`_plug_vifs`; log (never raise) a failure."""
        for vif in vifs:
            try:
                network, port, _filter = network_model.to_specs(vif)
                self.port_filters.remove_filter(network, port)
                self.network_driver.unplug_vif(network, port)
            except Exception:
                LOG.exception("Unplugging VIF %s failed", vif.get("id"))

    def release_network(self, context, instance):
        """Give the server's ports back and unplug them. A server built
        with no network here costs no call; a failed call is logged
        (nimbus-network reaps ports of deleted servers). A server moved
        here with no VIFs (resize, migration) is recorded with an empty
        list: no call either."""
        plugged = self._vifs.pop(instance.uuid, None)
        if not plugged and self._vifs_known:
            return
        try:
            # What this host plugged is known unless it restarted
            # without replaying its VIFs: then ask for the records'.
            if self._vifs_known:
                self.network_bursts.release(context, instance.uuid)
                vifs = []
            else:
                vifs = self.network.deallocate_for_instance(
                    context, instance.uuid, self.host) or []
        except Exception:
            LOG.exception("Could not release the network of %s",
                          instance.uuid)
            vifs = []
        seen = {v["id"] for v in vifs}
        self._unplug_vifs(list(vifs) + [v for v in plugged or []
                                        if v["id"] not in seen])

    def _replay_vifs(self):
        """After a restart: plug and filter again the VIFs of this host's
        guests (the plugin's host side is idempotent)."""
        ctx = nimbus_context.get_admin_context()
        try:
            vifs = self.network.get_host_vifs(ctx, self.host)
        except Exception:
            LOG.warning("Could not read this host's VIFs from "
                        "nimbus-network; filters are re-applied on the "
                        "next change", exc_info=True)
            return
        by_instance = {}
        for vif in vifs:
            by_instance.setdefault(vif["instance_uuid"], []).append(vif)
        for uuid, instance_vifs in by_instance.items():
            try:
                self._plug_vifs(uuid, instance_vifs)
            except Exception:
                LOG.exception("Replaying the VIFs of %s failed", uuid)
            self._vifs[uuid] = instance_vifs
        self._vifs_known = True

    def refresh_port_filters(self, context, port_filters,
                             remote_groups=None):
        """Apply new security-group filters to ports of this host
        (compute RPC 1.2; ``remote_groups``, the members of the groups
        their rules name: 1.8)."""
        if not self.port_filters.enabled:
            return
        self.port_filters.update_groups(
            remote_groups, skip={v["port"]["id"] for v in port_filters})
        for values in port_filters:
            network, _port, port_filter = \
                network_model.from_port_filter_dict(values)
            try:
                self.port_filters.set_filter(network, port_filter)
            except Exception:
                LOG.exception("Filtering port %s failed",
                              values["port"]["id"])

    def refresh_group_members(self, context, remote_groups):
        """New member addresses of security groups the rules of this
        host's ports name (compute RPC 1.8)."""
        try:
            self.port_filters.update_groups(remote_groups)
        except Exception:
            LOG.exception("Updating the members of %s failed",
                          sorted(remote_groups))

    # -- NIC hot-plug (rpcapi 1.2) ----------------------------------------

    @messaging.expected_exceptions(exception.NimbusException)
    def attach_interface(self, context, instance, network_id=None,
                         port_id=None, fixed_ip=None):
        """Allocate a port through nimbus-network, plug and filter it with
        the network plugin's host side, hot-plug it into the guest;
        return its VIF dict. Anything that fails after the allocation is
        undone (unplugged, port given back) before the error goes back.
        """
        with self.lock(instance.uuid):
            vif = self.network.allocate_port_for_instance(
                context, instance.uuid, instance.project_id, self.host,
                network_id=network_id, port_id=port_id, fixed_ip=fixed_ip,
                hostname=hostnames.of(instance))
            try:
                spec, = self._plug_vifs(instance.uuid, [vif])
                self.driver.attach_interface(instance.uuid, spec)
            except Exception:
                LOG.exception("Attaching port %(port)s to %(uuid)s failed",
                              {"port": vif["id"], "uuid": instance.uuid})
                self._unplug_vifs([vif])
                self._give_back_port(context, instance, vif["id"])
                raise
            # A delete gives back (and unplugs) what is recorded here.
            self._vifs.setdefault(instance.uuid, []).append(vif)
            return vif

    def _give_back_port(self, context, instance, port_id):
        try:
            self.network.deallocate_port(context, instance.uuid, port_id,
                                         self.host)
        except Exception:
            LOG.exception("Giving back port %(port)s of %(uuid)s failed",
                          {"port": port_id, "uuid": instance.uuid})

    @messaging.expected_exceptions(exception.NimbusException)
    def detach_interface(self, context, instance, port_id):
        """Hot-unplug the NIC ``port_id`` from the guest, give its port
        back to nimbus-network and unplug it on this host."""
        with self.lock(instance.uuid):
            self.driver.detach_interface(instance.uuid, port_id)
            vif = self.network.deallocate_port(context, instance.uuid,
                                               port_id, self.host)
            plugged = self._vifs.get(instance.uuid)
            known = [v for v in plugged or () if v["id"] == port_id]
            if plugged is not None:
                self._vifs[instance.uuid] = [v for v in plugged
                                             if v["id"] != port_id]
            self._unplug_vifs([vif] if vif else known)
