"""The compute manager's part of cold moves (resize, cold migration):
one hypervisor step per call, driven by conductor
(:mod:`nimbus.core.conductor.workflows.resize`).

:class:`MoveManagerMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager`; it relies on its
``driver``, ``images``, ``host``, ``lock``, ``_vifs`` and the VIF
helpers. Conductor owns the records (instance, migration, claims): these
methods only act on this host and return what the next step needs.
Every method is a call (conductor waits, up to ``[conductor]
move_step_timeout``) and is safe to repeat.
"""

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import exception, fault_injection
from nimbus.core.compute import guest_spec

LOG = logging.getLogger(__name__)

#: seconds a guest may take to shut down cleanly before a move.
SHUTDOWN_TIMEOUT = 60


def spec_with_flavor(context, instance, images, flavor):
    """The guest spec of ``instance`` with ``flavor``'s sizes (a flavor
    ``dict``: ``vcpus``, ``memory_mb``, ``root_gb``, ``ephemeral_gb``,
    ``swap``, ``extra_specs``)."""
    spec = guest_spec.build(context, instance, images)
    spec.vcpus = int(flavor["vcpus"])
    spec.memory_mb = int(flavor["memory_mb"])
    spec.root_gb = int(flavor["root_gb"])
    spec.ephemeral_gb = int(flavor["ephemeral_gb"])
    spec.swap_mb = int(flavor["swap"])
    spec.extra_specs = dict(flavor.get("extra_specs") or {})
    return spec


class MoveManagerMixin:
    """Compute RPC 1.5: the hypervisor steps of resize and cold
    migration."""

    def _instance_vifs(self, context, uuid):
        """The VIF dicts of a guest of this host (from memory, else from
        nimbus-network)."""
        vifs = self._vifs.get(uuid)
        if vifs is not None:
            return list(vifs)
        if not self._vifs_known:
            try:
                return [v for v in self.network.get_host_vifs(
                    context, self.host) if v["instance_uuid"] == uuid]
            except Exception:
                LOG.exception("Could not read the VIFs of %s", uuid)
        return []

    @messaging.expected_exceptions(exception.NimbusException)
    def resize_instance(self, context, instance, migration, flavor,
                        dest_host):
        """On the source: stop the guest and send its disks to
        ``dest_host``; the guest is set aside for a revert.

        :param flavor: the new flavor ``dict``.
        :returns: ``{"disk_info": ..., "vifs": [VIF dicts]}`` for
            :meth:`finish_resize` on ``dest_host``.
        """
        with self.lock(instance.uuid):
            spec = spec_with_flavor(context, instance, self.images, flavor)
            disk_info = self.driver.migrate_disk_and_power_off(
                context, instance.uuid, dest_host, spec,
                timeout=SHUTDOWN_TIMEOUT)
            return {"disk_info": disk_info,
                    "vifs": self._instance_vifs(context, instance.uuid)}

    @messaging.expected_exceptions(exception.NimbusException)
    def finish_resize(self, context, instance, migration, flavor,
                      sent, power_on):
        """On the destination: plug the guest's VIFs and create it with
        ``flavor`` from what :meth:`resize_instance` ``sent``; started
        when ``power_on``. On failure what was plugged here is unplugged
        (unless this is also the source)."""
        with self.lock(instance.uuid):
            fault_injection.pause_point(self.conf, "resize.finish", instance.uuid)
            spec = spec_with_flavor(context, instance, self.images, flavor)
            vifs = sent.get("vifs") or []
            same_host = migration.source_compute == self.host
            try:
                spec.vifs = self._plug_vifs(instance.uuid, vifs)
                self.driver.finish_migration(context, spec,
                                             sent["disk_info"],
                                             power_on=power_on)
            except Exception:
                if not same_host:
                    self._unplug_vifs(vifs)
                raise
            self._vifs[instance.uuid] = vifs

    @messaging.expected_exceptions(exception.NimbusException)
    def confirm_resize(self, context, instance, migration):
        """On the source: drop the set-aside guest and, when the server
        now lives elsewhere, unplug its VIFs here."""
        with self.lock(instance.uuid):
            same_host = migration.dest_compute == self.host
            self.driver.confirm_migration(context, instance.uuid,
                                          same_host)
            if not same_host:
                self._unplug_vifs(self._vifs.pop(instance.uuid, None)
                                  or [])

    @messaging.expected_exceptions(exception.NimbusException)
    def revert_resize(self, context, instance, migration):
        """On the destination: remove the moved guest (not on a resize
        to the same host: the source step brings its copy back)."""
        with self.lock(instance.uuid):
            if migration.source_compute == self.host:
                return
            self.driver.destroy(context, instance.uuid)
            self._unplug_vifs(self._vifs.pop(instance.uuid, None) or [])

    @messaging.expected_exceptions(exception.NimbusException)
    def finish_revert_resize(self, context, instance, migration, flavor,
                             power_on):
        """On the source: bring back the set-aside guest with its old
        ``flavor``, its VIFs (still bound here) plugged again; started
        when ``power_on``."""
        with self.lock(instance.uuid):
            spec = spec_with_flavor(context, instance, self.images, flavor)
            vifs = self._instance_vifs(context, instance.uuid)
            spec.vifs = self._plug_vifs(instance.uuid, vifs)
            self.driver.finish_revert_migration(context, spec,
                                                power_on=power_on)
            self._vifs[instance.uuid] = vifs
