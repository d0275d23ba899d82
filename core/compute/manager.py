"""The compute manager: runs the hypervisor plugin for one host.

It never touches the database: every object method it calls runs on
conductor (in a separate compute process) through object indirection.
Networking: a build asks nimbus-network for the server's ports (VIF
dicts), plugs each through the host side of ``[network] driver`` and
filters it by its rules, then spawns the guest with the VIFs; a failed
build and a delete give the ports back and unplug them.
Each RPC method holds a per-instance lock, moves the instance's task state
with a guard (``expected_task_state``), calls the plugin and records the
outcome.
"""

import threading

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import (
    exception,
    hostinfo,
    loading,
    manager,
    metrics,
    notifications,
)
from nimbus.core.compute import (
    guest_spec,
    inflight,
    manager_diagnostics,
    manager_events,
    manager_image_cache,
    manager_images,
    manager_live,
    manager_moves,
    manager_network,
    manager_volumes,
    network_bursts,
    port_filters,
    power_sync,
    resource_tracker,
    task_states,
    vm_states,
)
from nimbus.core.conductor import rpcapi as conductor_rpcapi
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.network import rpcapi as network_rpcapi
from nimbus.core.objects import compute_node, instance_action

LOG = logging.getLogger(__name__)

# The event a build records under its instance's action (nova's name).
BUILD_EVENT = "compute_build_and_run_instance"

# RPC method -> (task_state while it runs, final vm_state, final
# power_state, the action its notifications name)
_POWER_ACTIONS = {
    "stop_instance": (task_states.POWERING_OFF, vm_states.STOPPED,
                      power_state.SHUTDOWN, "power_off"),
    "start_instance": (task_states.POWERING_ON, vm_states.ACTIVE,
                       power_state.RUNNING, "power_on"),
    "pause_instance": (task_states.PAUSING, vm_states.PAUSED,
                       power_state.PAUSED, "pause"),
    "unpause_instance": (task_states.UNPAUSING, vm_states.ACTIVE,
                         power_state.RUNNING, "unpause"),
    "suspend_instance": (task_states.SUSPENDING, vm_states.SUSPENDED,
                         power_state.SUSPENDED, "suspend"),
    "resume_instance": (task_states.RESUMING, vm_states.ACTIVE,
                        power_state.RUNNING, "resume"),
}


class ComputeManager(manager.Manager,
                     manager_network.NetworkManagerMixin,
                     manager_volumes.VolumeManagerMixin,
                     manager_moves.MoveManagerMixin,
                     manager_live.LiveMigrationManagerMixin,
                     manager_images.ImageWorkflowsMixin,
                     manager_diagnostics.DiagnosticsManagerMixin,
                     manager_image_cache.ImageCacheManagerMixin,
                     manager_events.ExternalEventsManagerMixin):
    """RPC endpoint of ``compute.<host>`` (see rpcapi for versions)."""

    target = messaging.Target(version="1.18")

    def __init__(self, conf, host, driver=None, network_driver=None):
        super().__init__(conf, host)
        self.driver = driver or loading.load_driver(
            loading.HYPERVISORS, conf.compute.hypervisor, conf, host)
        # The host side of the network plugin (no database either).
        self.network_driver = network_driver or loading.load_driver(
            loading.NETWORKS, conf.network.driver, conf, host)
        #: security-group filters and remote-group members of this host.
        self.port_filters = port_filters.HostFilters(self.network_driver)
        self.images = loading.load_driver(loading.IMAGES,
                                          conf.images.backend, conf)
        self.tracker = resource_tracker.ResourceTracker(conf, host,
                                                        self.driver)
        self.in_flight = inflight.InFlight()
        self.sync = power_sync.PowerSync(self)
        self.service_ref = None
        self._conductor = None
        self._network = None
        self._network_bursts = None
        # NOTE(scheduler): unknown at start, so the first success resets.
        self._failed_builds = True
        #: instance uuid -> the VIF dicts plugged here for it.
        self._vifs = {}
        #: whether ``_vifs`` lists every guest's VIFs (False from a start
        #: with guests until the replay has read them back).
        self._vifs_known = True

    @property
    def network(self):
        if self._network is None:
            self._network = network_rpcapi.NetworkAPI()
        return self._network

    @property
    def network_bursts(self):
        """Calls to nimbus-network shared by concurrent boots (deletes)
        of this host."""
        if self._network_bursts is None:
            self._network_bursts = network_bursts.NetworkBursts(
                self.host, self.network)
        return self._network_bursts

    @property
    def conductor(self):
        if self._conductor is None:
            self._conductor = conductor_rpcapi.ConductorAPI()
        return self._conductor

    # -- service hooks ------------------------------------------------------

    def init_host(self, instances=None):
        """:param instances: this host's instances when the caller read
        them already (a compute fleet reads many hosts' at once)."""
        self.driver.init_host()
        self.network_driver.init_host()
        self.driver.register_event_listener(self.sync.handle_event)
        self.sync.reconcile(instances)

    def after_start(self):
        self._report_resources()
        if self.driver.list_instances():
            self._vifs_known = False
            threading.Thread(target=self._replay_vifs, daemon=True,
                             name=f"replay-vifs-{self.host}").start()

    def cleanup_host(self):
        self.sync.stop()
        self.network_driver.cleanup_host()
        self.driver.cleanup_host()

    def periodic_tasks(self):
        c = self.conf.compute
        return [(self._report_resources, c.resource_report_interval),
                (self.sync.sync_all, c.sync_power_state_interval),
                (self.sync.settle_orphans,
                 self.conf.conductor.task_state_check_interval),
                (self.offload_due_shelved, c.shelved_poll_interval)]

    def _report_resources(self):
        service_id = self.service_ref.id if self.service_ref else None
        self.tracker.update_available_resource(service_id)

    def lock(self, uuid):
        return self.in_flight.lock(uuid)

    # -- build and delete ---------------------------------------------------

    def build_and_run_instance(self, context, instance, request_spec,
                               alternates):
        """:param request_spec: a ``RequestSpec``, or its legacy ``dict``
        from a conductor pinned to compute 1.0."""
        request_spec = rs.RequestSpec.from_rpc(request_spec)
        with self.lock(instance.uuid):
            self._build(context, instance, request_spec, alternates)

    def _build(self, context, instance, request_spec, alternates):
        if not self._take_build(instance):
            LOG.info("Build of %s cancelled: deleted meanwhile",
                     instance.uuid)
            return
        started = timeutils.utcnow().isoformat()
        self.notify(context, instance, "create", "start")
        volumes = []
        try:
            vifs = self._allocate_network(context, instance, request_spec)
            spec = guest_spec.build(context, instance, self.images,
                                    self.conf)
            spec.vifs = self._plug_vifs(instance.uuid, vifs)
            if request_spec.has_volumes is not False:
                # None: a request spec older than 1.3, which cannot say
                volumes = self.connect_block_devices(context, instance,
                                                     spec)
            spec.disks += volumes
            self.driver.spawn(context, spec)
        except Exception as err:
            if volumes:
                self.disconnect_block_devices(context, instance)
            if not isinstance(err, exception.BuildAbort):
                self._record_build(context, instance, failed=True)
            self._build_failed(context, instance, request_spec, alternates,
                               err, started)
            return
        self.finish_block_devices(context, instance, volumes)
        self._record_build(context, instance, failed=False)
        self._activate(context, instance, started)
        metrics.BUILDS.labels("active").inc()

    def _take_build(self, instance):
        """Whether the build of ``instance`` goes ahead.

        A conductor of compute RPC 1.17 placed it ``spawning``, guarded
        on ``scheduling`` in the same write as its host: the spawn starts
        without a write of its own, and only a terminate that ran here
        first (the delete's cast overtook the build's) drops it. A delete
        that comes later finds the guest at :meth:`_activate`. From an
        older conductor (or one pinned below 1.17) the instance arrives
        ``scheduling``, and the compute takes it over with a guarded
        write as before.
        """
        if instance.task_state != task_states.SCHEDULING:
            return not self.in_flight.was_terminated(instance.uuid)
        instance.task_state = task_states.SPAWNING
        return self.save_quietly(instance, task_states.SCHEDULING)

    def _activate(self, context, instance, started):
        """Record the spawned guest as running, unless the instance was
        deleted while it spawned."""
        instance.vm_state = vm_states.ACTIVE
        instance.task_state = None
        instance.power_state = power_state.RUNNING
        instance.launched_at = timeutils.utcnow()
        result = "Error"
        try:
            instance.save(expected_task_state=(task_states.SPAWNING,))
            result = "Success"
            self.notify(context, instance, "create", "end")
        except exception.InstanceNotFound:
            # Deleted in the database alone (its host looked down to the
            # API): no terminate will come, so the guest goes now.
            LOG.info("Instance %s deleted while spawning: destroying its "
                     "guest", instance.uuid)
            self._destroy_guest(context, instance)
            self.release_network(context, instance)
        except exception.UnexpectedDeletingTaskStateError:
            # Being deleted: the terminate on its way removes the guest.
            LOG.info("Instance %s deleted while spawning", instance.uuid)
        except exception.UnexpectedTaskStateError as err:
            # Settled while its build waited or ran (a restart of this
            # compute, or the sweep of stuck builds, put it in ERROR):
            # nothing will come for this guest.
            LOG.warning("Build of %(uuid)s ended elsewhere meanwhile "
                        "(%(err)s): destroying its guest",
                        {"uuid": instance.uuid, "err": err})
            self._destroy_guest(context, instance)
            self.release_network(context, instance)
        if result != "Success":
            self._build_event(context, instance, started, result)

    def _build_event(self, context, instance, started, result,
                     details=None):
        """Record a build that went wrong as an "Error" event of the
        instance's action, from ``started`` to now: what
        ``os-instance-actions`` shows. Never fails the build.

        NOTE: a successful build records no event. On SQLite every write
        serialises with all others, and one more per boot cost the
        in-process boot rate 9% (benchmarks/boot_throughput.py); the
        action and the server's state already say it worked."""
        try:
            instance_action.InstanceActionEvent.record(
                context, instance.uuid, BUILD_EVENT, started, result,
                host=self.host, details=details)
        except Exception:
            LOG.exception("Could not record the build event of %s",
                          instance.uuid)

    def _destroy_guest(self, context, instance):
        """Destroy the guest of an instance whose build ended; log (never
        raise) a failure, which reconciliation at restart picks up."""
        try:
            self.driver.destroy(context, instance.uuid)
        except Exception:
            LOG.exception("Cleanup after the build of %s failed",
                          instance.uuid)

    def _record_build(self, context, instance, failed):
        """Tell the scheduler's build-failure weigher (through conductor)
        how the build went; never fails the build itself."""
        if not failed and not self._failed_builds:
            return
        try:
            compute_node.ComputeNode.record_build_result(
                context, self.host, instance.node, failed)
            self._failed_builds = failed
        except Exception:
            LOG.exception("Could not record the build result of %s",
                          instance.uuid)

    def _build_failed(self, context, instance, request_spec, alternates,
                      err, started):
        LOG.warning("Build of %(uuid)s on %(host)s failed: %(err)s",
                    {"uuid": instance.uuid, "host": self.host, "err": err})
        self.notify(context, instance, "create", "error", err)
        self._destroy_guest(context, instance)
        self.release_network(context, instance)
        # Finished before any reschedule: the next host's event has the
        # same name under the same action.
        self._build_event(context, instance, started, "Error",
                          details=exception.message_of(err))
        retry = (not isinstance(err, exception.BuildAbort)
                 and request_spec.attempts
                 < self.conf.conductor.max_build_attempts
                 and alternates)
        metrics.BUILDS.labels("rescheduled" if retry else "error").inc()
        if retry:
            instance.task_state = task_states.SCHEDULING
            instance.host = None
            instance.node = None
            if not self.save_quietly(instance, task_states.SPAWNING):
                return
            self.conductor.build_instances(
                context, instance.uuid, request_spec, alternates,
                self.host, str(err))
            return
        self.fail_build(context, instance, err,
                         expected=(task_states.SPAWNING,))

    def set_error(self, context, instance, err, expected):
        """Put ``instance`` in ERROR with ``err`` as its fault, unless it
        left the ``expected`` task states meanwhile (e.g. was deleted).

        :returns: whether the instance was put in ERROR.
        """
        # The fault first, so whoever sees the ERROR finds its reason
        # (the API shows faults of instances in ERROR only).
        instance_action.InstanceFault.record(
            context, instance.uuid, getattr(err, "code", 500), str(err),
            host=self.host)
        instance.vm_state = vm_states.ERROR
        instance.task_state = None
        return self.save_quietly(instance, *expected)

    def fail_build(self, context, instance, err, expected):
        """End a build whose guest is gone: ERROR with ``err`` as its
        fault (see :meth:`set_error`), and its resource claim given back,
        since an instance that never ran must not hold a host's capacity.
        """
        if not self.set_error(context, instance, err, expected):
            return
        try:
            compute_node.ComputeNode.release_allocations(context,
                                                         instance.uuid)
        except Exception:
            LOG.exception("Could not release the claim of %s",
                          instance.uuid)

    def terminate_instance(self, context, instance, has_volumes=None):
        """:param has_volumes: False when the API found no volume after
            the delete's guard (RPC 1.18): nothing to read or let go."""
        with self.lock(instance.uuid):
            self.in_flight.note_terminated(instance.uuid)
            self.notify(context, instance, "delete", "start")
            self.driver.destroy(context, instance.uuid)
            self.release_network(context, instance)
            if has_volumes is not False:
                self.release_volumes(context, instance)
            try:
                instance.destroy()
            except exception.InstanceNotFound:
                pass
            self.notify(context, instance, "delete", "end")

    def notify(self, context, instance, action, phase, err=None):
        """``instance.<action>.<phase>`` from ``nimbus-compute:<host>``."""
        notifications.notify(context, instance, action, phase, self.host,
                             exception=err)

    # -- power actions ------------------------------------------------------

    def _power_action(self, context, instance, method, call):
        running, final_vm, final_power, action = _POWER_ACTIONS[method]
        with self.lock(instance.uuid):
            self.notify(context, instance, action, "start")
            try:
                call()
            except Exception as err:
                LOG.warning("%(method)s of %(uuid)s failed: %(err)s",
                            {"method": method, "uuid": instance.uuid,
                             "err": err})
                self._revert_task_state(context, instance, running, err)
                self.notify(context, instance, action, "error", err)
                return
            instance.vm_state = final_vm
            instance.power_state = final_power
            instance.task_state = None
            if self.save_quietly(instance, running):
                self.notify(context, instance, action, "end")

    def _revert_task_state(self, context, instance, running, err):
        instance.task_state = None
        if self.save_quietly(instance, running):
            instance_action.InstanceFault.record(
                context, instance.uuid, getattr(err, "code", 500),
                str(err), host=self.host)

    @staticmethod
    def save_quietly(instance, *expected):
        """Save guarded by ``expected`` task states; return False (and
        write nothing) if another action or a delete won meanwhile."""
        try:
            instance.save(expected_task_state=expected)
            return True
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return False

    def stop_instance(self, context, instance):
        self._power_action(context, instance, "stop_instance",
                           lambda: self.driver.power_off(
                               instance.uuid, timeout=60))

    def start_instance(self, context, instance):
        self._power_action(context, instance, "start_instance",
                           lambda: self.driver.power_on(instance.uuid))

    def pause_instance(self, context, instance):
        self._power_action(context, instance, "pause_instance",
                           lambda: self.driver.pause(instance.uuid))

    def unpause_instance(self, context, instance):
        self._power_action(context, instance, "unpause_instance",
                           lambda: self.driver.unpause(instance.uuid))

    def suspend_instance(self, context, instance):
        self._power_action(context, instance, "suspend_instance",
                           lambda: self.driver.suspend(instance.uuid))

    def resume_instance(self, context, instance):
        self._power_action(context, instance, "resume_instance",
                           lambda: self.driver.resume(instance.uuid))

    def reboot_instance(self, context, instance, reboot_type):
        expected = task_states.REBOOTING_HARD \
            if reboot_type == hv.REBOOT_HARD else task_states.REBOOTING
        with self.lock(instance.uuid):
            self.notify(context, instance, "reboot", "start")
            try:
                self.driver.reboot(instance.uuid, reboot_type)
            except Exception as err:
                self._revert_task_state(context, instance, expected, err)
                self.notify(context, instance, "reboot", "error", err)
                return
            instance.vm_state = vm_states.ACTIVE
            instance.power_state = power_state.RUNNING
            instance.task_state = None
            if self.save_quietly(instance, expected):
                self.notify(context, instance, "reboot", "end")

    @messaging.expected_exceptions(exception.NimbusException)
    def get_host_uptime(self, context):
        """This host's ``uptime`` line (RPC 1.3)."""
        return hostinfo.uptime_text()

    def trigger_crash_dump(self, context, instance):
        """An NMI to the guest (rpcapi 1.9); a failure is recorded as the
        instance's fault (the API answered 202 already)."""
        with self.lock(instance.uuid):
            try:
                self.driver.trigger_crash_dump(instance.uuid)
            except Exception as err:
                LOG.warning("trigger_crash_dump of %(uuid)s failed: "
                            "%(err)s", {"uuid": instance.uuid, "err": err})
                instance_action.InstanceFault.record(
                    context, instance.uuid, getattr(err, "code", 500),
                    str(err), host=self.host)

    @messaging.expected_exceptions(exception.NimbusException)
    def set_admin_password(self, context, instance, password):
        """The guest's administrator password (rpcapi 1.16, a call: the
        API answers what happened). The task state is cleared either
        way; a failure is recorded as the instance's fault.

        :raises SetAdminPasswordNotImplemented: the plugin cannot.
        :raises InstancePasswordSetFailed: the guest is not running, or
            the plugin failed.
        """
        with self.lock(instance.uuid):
            try:
                self._set_admin_password(context, instance, password)
            finally:
                instance.task_state = None
                self.save_quietly(instance, task_states.UPDATING_PASSWORD)

    def _set_admin_password(self, context, instance, password):
        uuid = instance.uuid
        try:
            state = self.driver.get_info(uuid).power_state
            if state != power_state.RUNNING:
                raise exception.InstancePasswordSetFailed(
                    instance=uuid, reason="the guest is not running")
            self.driver.set_admin_password(uuid, password)
        except exception.UnsupportedOperation:
            raise exception.SetAdminPasswordNotImplemented(
                instance_uuid=uuid, plugin=self.driver.hypervisor_type,
                operation="set_admin_password") from None
        except Exception as err:
            LOG.warning("set_admin_password of %(uuid)s failed: %(err)s",
                        {"uuid": uuid, "err": err})
            instance_action.InstanceFault.record(
                context, uuid, getattr(err, "code", 500), str(err),
                host=self.host)
            if isinstance(err, exception.InstancePasswordSetFailed):
                raise
            raise exception.InstancePasswordSetFailed(
                instance=uuid, reason=str(err)) from None

    def get_console_output(self, context, instance, max_bytes):
        return self.driver.get_console_output(instance.uuid,
                                              max_bytes=max_bytes)

    @messaging.expected_exceptions(exception.NimbusException)
    def get_vnc_console(self, context, instance):
        """Where the guest's VNC server listens (rpcapi 1.10): the
        API turns it into a console token."""
        return self.driver.get_vnc_console(instance.uuid).to_dict()
