"""Client side of the compute RPC API (topic ``compute``, server = host).

Version history:

* 1.0: initial version: build_and_run_instance, terminate_instance,
  start_instance, stop_instance, reboot_instance, pause_instance,
  unpause_instance, suspend_instance, resume_instance,
  get_console_output.
* 1.1: build_and_run_instance's ``request_spec`` is a
  :class:`~nimbus.core.interfaces.request_spec.RequestSpec` object (in
  1.0 the legacy ``dict``).
* 1.2: refresh_port_filters (security-group changes reach the computes
  hosting the affected ports); build_and_run_instance's request spec
  may carry ``requested_networks`` and ``security_groups`` (RequestSpec
  1.1); attach_interface, detach_interface (calls: NIC hot-plug).
* 1.3: get_host_uptime (for ``os-hypervisors/{id}/uptime``).
* 1.4: attach_volume, detach_volume (casts: volume hot-plug).
* 1.5: resize_instance, finish_resize, confirm_resize, revert_resize,
  finish_revert_resize (calls from conductor: the hypervisor steps of
  resize and cold migration).
* 1.6: live migration: check_can_live_migrate_destination,
  check_can_live_migrate_source, cleanup_live_migration_destination_check,
  pre_live_migration, rollback_live_migration_at_destination,
  post_live_migration_at_destination (calls), live_migration,
  live_migration_abort, live_migration_force_complete (casts).
* 1.7: rebuild_instance (also evacuate's rebuild on a new host),
  snapshot_instance, shelve_instance, shelve_offload_instance,
  unshelve_instance, rescue_instance, unrescue_instance (casts).
* 1.8: refresh_group_members
  (cast: a security group's member addresses, once per host and change);
  refresh_port_filters takes ``remote_groups`` (its filters' rules may
  name a remote group; the members of those groups).
* 1.9: trigger_crash_dump (cast: an NMI to the guest).
* 1.10: get_vnc_console (call: where the guest's VNC server listens).
* 1.11: get_diagnostics (call: what the hypervisor measures of a
  running guest, for server diagnostics).
* 1.12: external_instance_event (cast: events of other services for
  the host's instances, e.g. ``volume-extended``).
* 1.13: rebuild_instance takes ``target_state`` (an evacuated server
  ends ``stopped`` whatever it was, Compute API 2.95).
* 1.14: cache_images (call: copy images into the host's image cache,
  Compute API 2.81).
* 1.15: volume-backed servers: rescue_instance keeps their volumes
  (stable device rescue, Compute API 2.87); rebuild_instance takes
  ``reimage_boot_volume`` (the root volume gets the new image, 2.93).
* 1.16: set_admin_password (call: the guest's administrator password,
  changePassword).
* 1.17: build_and_run_instance's instance arrives ``spawning``: the
  conductor's placement write set it, guarded on ``scheduling``, so the
  compute starts without a write of its own (a round trip to the
  conductor fewer per boot). A 1.16 compute takes the build over itself.
* 1.18: terminate_instance takes ``has_volumes`` (the API read it in
  the delete's guarded write): False spares the compute its read of the
  server's volumes.
"""

import oslo_messaging as messaging

from nimbus.core import conf as nimbus_conf
from nimbus.core import exception, rpc

TOPIC = "compute"
CONF = nimbus_conf.CONF
#: The newest version this client knows: its cap unless
#: ``[upgrade_levels] compute`` pins an older one.
VERSION_CAP = "1.18"
#: seconds an interface hot-plug may take (port allocation, plugging, the
#: hypervisor's device attach).
HOTPLUG_TIMEOUT = 120
#: seconds a live-migration step on a compute may take (checks, the
#: destination's preparation: directories, disks, image fetches).
LIVE_TIMEOUT = 180


class ComputeAPI:
    """Calls to the nimbus-compute service of one host."""

    def __init__(self, retry=None):
        """:param retry: see :func:`nimbus.core.rpc.get_client` (the API
        passes ``[api] rpc_send_retries``; services wait for the
        broker)."""
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.compute or VERSION_CAP,
            retry=retry)

    def _on(self, host, **kwargs):
        return self.client.prepare(server=host, **kwargs)

    def build_and_run_instance(self, context, instance, host, request_spec,
                               alternates):
        """Build and start ``instance`` on ``host``.

        :param request_spec: the :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec`; sent as the legacy ``dict`` while
            ``[upgrade_levels] compute`` is below 1.1.
        :param alternates: selections to reschedule onto if it fails.
        """
        version = "1.17" if self.builds_arrive_spawning() else "1.1"
        if not self.client.can_send_version(version):
            version, request_spec = "1.0", request_spec.to_legacy_dict()
        self._on(host, version=version).cast(
            context, "build_and_run_instance", instance=instance,
            request_spec=request_spec, alternates=alternates)

    def builds_arrive_spawning(self):
        """Whether computes take a build whose instance is ``spawning``
        already (1.17); older ones expect ``scheduling`` and set
        ``spawning`` themselves."""
        return self.client.can_send_version("1.17")

    def terminate_instance(self, context, instance, has_volumes=None):
        """:param has_volumes: whether the server has volumes, when the
            caller read it after the delete's guard; None: the compute
            reads them (as computes below 1.18 always do)."""
        if has_volumes is None or not self.client.can_send_version("1.18"):
            self._cast_action(context, "terminate_instance", instance)
            return
        self._on(instance.host, version="1.18").cast(
            context, "terminate_instance", instance=instance,
            has_volumes=has_volumes)

    def _cast_action(self, context, method, instance, **kwargs):
        self._on(instance.host).cast(context, method, instance=instance,
                                     **kwargs)

    def start_instance(self, context, instance):
        self._cast_action(context, "start_instance", instance)

    def stop_instance(self, context, instance):
        self._cast_action(context, "stop_instance", instance)

    def reboot_instance(self, context, instance, reboot_type):
        self._cast_action(context, "reboot_instance", instance,
                          reboot_type=reboot_type)

    def pause_instance(self, context, instance):
        self._cast_action(context, "pause_instance", instance)

    def unpause_instance(self, context, instance):
        self._cast_action(context, "unpause_instance", instance)

    def suspend_instance(self, context, instance):
        self._cast_action(context, "suspend_instance", instance)

    def resume_instance(self, context, instance):
        self._cast_action(context, "resume_instance", instance)

    def trigger_crash_dump(self, context, instance):
        """:raises ActionNotSupportedByHost: the compute is older than
        1.9 (pinned by ``[upgrade_levels] compute``)."""
        if not self.client.can_send_version("1.9"):
            raise exception.ActionNotSupportedByHost(
                action="trigger_crash_dump", instance_uuid=instance.uuid,
                host=instance.host, hypervisor="(compute older than 1.9)",
                capability="crash_dump")
        self._on(instance.host, version="1.9").cast(
            context, "trigger_crash_dump", instance=instance)

    def set_admin_password(self, context, instance, password):
        """Set the guest's administrator password; return once the host
        did (or raise what it raised).

        :raises SetAdminPasswordNotImplemented: pinned below 1.16.
        """
        self.check_set_admin_password(instance)
        self._on(instance.host, version="1.16", timeout=60).call(
            context, "set_admin_password", instance=instance,
            password=password)

    def check_set_admin_password(self, instance):
        """:raises SetAdminPasswordNotImplemented: the computes are pinned
        below 1.16 (they may not know the call)."""
        if not self.client.can_send_version("1.16"):
            raise exception.SetAdminPasswordNotImplemented(
                instance_uuid=instance.uuid,
                plugin=f"nimbus-compute (RPC pinned below 1.16) on "
                       f"{instance.host}", operation="set_admin_password")

    def get_host_uptime(self, context, host):
        """The ``uptime`` line of compute host ``host``.

        :raises UnsupportedOperation: ``[upgrade_levels] compute`` pins a
            version older than 1.3 (the host may not know the call).
        """
        if not self.client.can_send_version("1.3"):
            raise exception.UnsupportedOperation(
                plugin=f"nimbus-compute (RPC pinned below 1.3) on {host}",
                operation="get_host_uptime")
        return self._on(host, version="1.3", timeout=30).call(
            context, "get_host_uptime")

    def get_console_output(self, context, instance, max_bytes):
        return self._on(instance.host, timeout=60).call(
            context, "get_console_output", instance=instance,
            max_bytes=max_bytes)

    def get_vnc_console(self, context, instance):
        """The :class:`~nimbus.core.interfaces.console.ConsoleAddress`
        of the guest's VNC server, as a ``dict``.

        :raises ConsoleUnavailable: the RPC API is pinned below 1.10
            (the host may not know the call).
        """
        if not self.client.can_send_version("1.10"):
            raise exception.ConsoleUnavailable(
                console_type="vnc", instance_uuid=instance.uuid,
                reason="the compute RPC API is pinned below 1.10")
        return self._on(instance.host, version="1.10", timeout=60).call(
            context, "get_vnc_console", instance=instance)

    def cache_images(self, context, host, image_ids, timeout=600):
        """Have ``host`` copy ``image_ids`` into its image cache; return
        ``{image_id: "cached" | "existing" | "unsupported" | "error"}``.

        :raises UnsupportedOperation: the RPC API is pinned below 1.14.
        """
        self.check_image_precache(host)
        return self._on(host, version="1.14", timeout=timeout).call(
            context, "cache_images", image_ids=list(image_ids))

    def check_image_precache(self, host="the computes"):
        """:raises UnsupportedOperation: computes are pinned below 1.14."""
        if not self.client.can_send_version("1.14"):
            raise exception.UnsupportedOperation(
                plugin=f"nimbus-compute (RPC pinned below 1.14) on {host}",
                operation="cache_images")

    def get_diagnostics(self, context, instance):
        """The guest's :class:`~nimbus.core.interfaces.guest.
        GuestDiagnostics`, as a ``dict``.

        :raises InstanceInvalidState: the guest is not running.
        :raises UnsupportedOperation: the RPC API is pinned below 1.11
            (the host may not know the call).
        """
        if not self.client.can_send_version("1.11"):
            raise exception.UnsupportedOperation(
                plugin=f"nimbus-compute (RPC pinned below 1.11) on "
                       f"{instance.host}", operation="get_diagnostics")
        return self._on(instance.host, version="1.11", timeout=60).call(
            context, "get_diagnostics", instance=instance)

    def can_send_events(self):
        """Whether the computes may be sent external events (1.12)."""
        return self.client.can_send_version("1.12")

    def external_instance_event(self, context, host, instances, events):
        """Cast ``events`` (dicts) for ``instances`` to their ``host``.

        :raises UnsupportedOperation: the RPC API is pinned below 1.12
            (the host may not know the call).
        """
        if not self.client.can_send_version("1.12"):
            raise exception.UnsupportedOperation(
                plugin=f"nimbus-compute (RPC pinned below 1.12) on {host}",
                operation="external_instance_event")
        self._on(host, version="1.12").cast(
            context, "external_instance_event", instances=instances,
            events=events)

    def refresh_port_filters(self, context, host, port_filters,
                             remote_groups=None):
        """Re-apply the security-group filters of ports on ``host``.

        :param port_filters: ``[{"network", "port", "rules"}]`` dicts
            (:func:`nimbus.core.network.model.port_filter_dict`).
        :param remote_groups: ``{group uuid: [address, ...]}`` of the
            remote groups the rules name (1.8); None: the rules name none
            (remote groups are resolved to addresses).

        A compute of the previous release (pinned below 1.2) has no
        filters to refresh: nothing is sent.
        """
        if remote_groups is not None:
            # Rules naming a remote group: only a 1.8 compute knows them
            # (callers ask can_refresh_group_members first).
            self._on(host, version="1.8").cast(
                context, "refresh_port_filters", port_filters=port_filters,
                remote_groups=remote_groups)
            return
        if not self.client.can_send_version("1.2"):
            return
        self._on(host, version="1.2").cast(
            context, "refresh_port_filters", port_filters=port_filters)

    def can_refresh_group_members(self):
        """Whether computes take rules naming a remote group and
        :meth:`refresh_group_members` (1.8); if not, nimbus-network
        resolves such rules to member addresses and re-sends the filters
        of every port whose rules name a group that changed."""
        return self.client.can_send_version("1.8")

    def refresh_group_members(self, context, host, remote_groups):
        """Tell ``host`` the member addresses of security groups its
        ports' rules name (1.8).

        :param remote_groups: ``{group uuid: [address, ...]}``.
        """
        self._on(host, version="1.8").cast(
            context, "refresh_group_members", remote_groups=remote_groups)

    # -- 1.2: NIC hot-plug ----------------------------------------------------

    def _hotplug(self, instance, method):
        if not self.client.can_send_version("1.2"):
            raise exception.Conflict(
                reason=f"{method} needs compute RPC 1.2; [upgrade_levels] "
                       f"compute pins {self.client.version_cap}")
        return self._on(instance.host, version="1.2",
                        timeout=HOTPLUG_TIMEOUT)

    def attach_interface(self, context, instance, network_id=None,
                         port_id=None, fixed_ip=None):
        """Allocate a port for ``instance`` (a new one on ``network_id``,
        or ``port_id``), plug it and hot-plug it; return its VIF dict.

        :raises Conflict: the compute is pinned below 1.2.
        """
        return self._hotplug(instance, "attach_interface").call(
            context, "attach_interface", instance=instance,
            network_id=network_id, port_id=port_id, fixed_ip=fixed_ip)

    def detach_interface(self, context, instance, port_id):
        """Hot-unplug the NIC ``port_id`` and give its port back."""
        return self._hotplug(instance, "detach_interface").call(
            context, "detach_interface", instance=instance, port_id=port_id)

    # -- volumes (1.4) ------------------------------------------------------

    def _volume_client(self, instance, action):
        if not self.client.can_send_version("1.4"):
            raise exception.ActionNotSupportedByHost(
                action=action, instance_uuid=instance.uuid,
                host=instance.host, hypervisor="(compute older than 1.4)",
                capability="disk_hotplug")
        return self._on(instance.host, version="1.4")

    def attach_volume(self, context, instance, volume_id, mountpoint):
        """Connect and hot-plug a volume the API reserved for
        ``instance`` (the compute marks it in-use)."""
        self._volume_client(instance, "attach_volume").cast(
            context, "attach_volume", instance=instance,
            volume_id=volume_id, mountpoint=mountpoint)

    def detach_volume(self, context, instance, volume_id, attachment_id):
        """Unplug and disconnect a volume the API marked detaching (the
        compute marks it available)."""
        self._volume_client(instance, "detach_volume").cast(
            context, "detach_volume", instance=instance,
            volume_id=volume_id, attachment_id=attachment_id)

    # -- cold moves (1.5), called by conductor --------------------------------

    def _move(self, host, method):
        if not self.client.can_send_version("1.5"):
            raise exception.ActionNotSupportedByHost(
                action=method, instance_uuid="-", host=host,
                hypervisor="(compute older than 1.5)",
                capability="cold_migration")
        return self._on(host, version="1.5",
                        timeout=CONF.conductor.move_step_timeout)

    def resize_instance(self, context, instance, migration, flavor,
                        dest_host):
        """Stop the guest on the source and send its disks to
        ``dest_host``; returns what :meth:`finish_resize` needs."""
        return self._move(migration.source_compute, "resize_instance").call(
            context, "resize_instance", instance=instance,
            migration=migration, flavor=flavor, dest_host=dest_host)

    def finish_resize(self, context, instance, migration, flavor, sent,
                      power_on):
        """Create the guest on the destination from what the source
        ``sent``."""
        return self._move(migration.dest_compute, "finish_resize").call(
            context, "finish_resize", instance=instance,
            migration=migration, flavor=flavor, sent=sent,
            power_on=power_on)

    def confirm_resize(self, context, instance, migration):
        """Drop the set-aside guest on the source."""
        return self._move(migration.source_compute, "confirm_resize").call(
            context, "confirm_resize", instance=instance,
            migration=migration)

    def revert_resize(self, context, instance, migration):
        """Remove the moved guest from the destination."""
        return self._move(migration.dest_compute, "revert_resize").call(
            context, "revert_resize", instance=instance,
            migration=migration)

    def finish_revert_resize(self, context, instance, migration, flavor,
                             power_on):
        """Bring the set-aside guest back on the source."""
        return self._move(migration.source_compute,
                          "finish_revert_resize").call(
            context, "finish_revert_resize", instance=instance,
            migration=migration, flavor=flavor, power_on=power_on)

    # -- live migration (1.6) -----------------------------------------------

    def _live(self, host, action, timeout=None):
        if not self.client.can_send_version("1.6"):
            raise exception.Conflict(
                reason=f"{action} needs compute RPC 1.6; [upgrade_levels] "
                       f"compute pins {self.client.version_cap}")
        kwargs = {"timeout": timeout} if timeout else {}
        return self._on(host, version="1.6", **kwargs)

    def check_can_live_migrate_destination(self, context, instance, host,
                                           block_migration):
        """Run on ``host``; returns the LiveMigrateData ``dict``."""
        return self._live(host, "live migration", LIVE_TIMEOUT).call(
            context, "check_can_live_migrate_destination",
            instance=instance, block_migration=block_migration)

    def check_can_live_migrate_source(self, context, instance, data):
        return self._live(instance.host, "live migration",
                          LIVE_TIMEOUT).call(
            context, "check_can_live_migrate_source", instance=instance,
            data=data)

    def cleanup_live_migration_destination_check(self, context, host,
                                                 data):
        self._live(host, "live migration").cast(
            context, "cleanup_live_migration_destination_check", data=data)

    def pre_live_migration(self, context, instance, host, data):
        return self._live(host, "live migration", LIVE_TIMEOUT).call(
            context, "pre_live_migration", instance=instance, data=data)

    def live_migration(self, context, instance, migration, data):
        """Cast to the source: run the migration and finish it (or roll
        it back) with the destination."""
        self._live(instance.host, "live migration").cast(
            context, "live_migration", instance=instance,
            migration=migration, data=data)

    def post_live_migration_at_destination(self, context, instance, host,
                                           data):
        return self._live(host, "live migration", LIVE_TIMEOUT).call(
            context, "post_live_migration_at_destination",
            instance=instance, data=data)

    def rollback_live_migration_at_destination(self, context, instance,
                                               host, data):
        return self._live(host, "live migration", LIVE_TIMEOUT).call(
            context, "rollback_live_migration_at_destination",
            instance=instance, data=data)

    def live_migration_abort(self, context, instance, migration_id):
        self._live(instance.host, "abort").cast(
            context, "live_migration_abort", instance=instance,
            migration_id=migration_id)

    def live_migration_force_complete(self, context, instance):
        self._live(instance.host, "force complete").cast(
            context, "live_migration_force_complete", instance=instance)

    # -- 1.7: image workflows -----------------------------------------------

    def _image_workflow(self, instance, action, host=None):
        """The client for an image workflow on ``host`` (default: the
        instance's).

        :raises ActionNotSupportedByHost: compute is pinned below 1.7.
        """
        host = host or instance.host
        if not self.client.can_send_version("1.7"):
            raise exception.ActionNotSupportedByHost(
                action=action, instance_uuid=instance.uuid, host=host,
                hypervisor="(compute older than 1.7)", capability=action)
        return self._on(host, version="1.7")

    def check_image_workflows(self, instance, action):
        """Raise (409) before anything is recorded when computes are
        pinned below 1.7."""
        self._image_workflow(instance, action)

    def check_volume_backed(self, instance, action):
        """:raises ActionNotSupportedByHost: (409) ``action`` of a
        volume-backed server while computes are pinned below 1.15."""
        if not self.client.can_send_version("1.15"):
            raise exception.ActionNotSupportedByHost(
                action=action, instance_uuid=instance.uuid,
                host=instance.host, hypervisor="(compute older than 1.15)",
                capability=f"{action} of a volume-backed server")

    def rebuild_instance(self, context, instance, image_ref, host=None,
                         evacuate=False, with_network=True,
                         target_state=None, reimage_boot_volume=False):
        """Rebuild ``instance`` from ``image_ref`` on ``host`` (default:
        its own; evacuate names the new one, and ``with_network`` says
        whether the server has ports to plug there).

        :param target_state: (evacuate, 1.13) the vm_state the server
            ends in (``stopped``) unless it was in ERROR.
        :param reimage_boot_volume: (1.15) a volume-backed server's root
            volume gets ``image_ref`` written onto it first.
        """
        kwargs, version = {}, None
        if target_state is not None:
            self.check_evacuate_target_state()
            kwargs["target_state"] = target_state
            version = "1.13"
        if reimage_boot_volume:
            self.check_volume_backed(instance, "rebuild")
            kwargs["reimage_boot_volume"] = True
            version = "1.15"
        client = self._image_workflow(instance, "rebuild", host)
        if version:
            client = self._on(host or instance.host, version=version)
        client.cast(context, "rebuild_instance", instance=instance,
                    image_ref=image_ref, evacuate=evacuate,
                    with_network=with_network, **kwargs)

    def check_evacuate_target_state(self):
        """:raises EvacuateTargetStateNotSupported: computes are pinned
        below 1.13."""
        if not self.client.can_send_version("1.13"):
            raise exception.EvacuateTargetStateNotSupported()

    def snapshot_instance(self, context, instance, image_id):
        self._image_workflow(instance, "createImage").cast(
            context, "snapshot_instance", instance=instance,
            image_id=image_id)

    def shelve_instance(self, context, instance, image_id):
        self._image_workflow(instance, "shelve").cast(
            context, "shelve_instance", instance=instance, image_id=image_id)

    def shelve_offload_instance(self, context, instance):
        self._image_workflow(instance, "shelveOffload").cast(
            context, "shelve_offload_instance", instance=instance)

    def unshelve_instance(self, context, instance, host=None,
                          with_network=True):
        """Unshelve on ``host`` (default: the instance's, still SHELVED);
        ``with_network``: the server has ports to plug there."""
        self._image_workflow(instance, "unshelve", host).cast(
            context, "unshelve_instance", instance=instance,
            with_network=with_network)

    def rescue_instance(self, context, instance, rescue_image_ref):
        """Rescue; a volume-backed server's (1.15) keeps its volumes."""
        if not instance.image_ref:
            self.check_volume_backed(instance, "rescue")
        client = self._image_workflow(instance, "rescue")
        if not instance.image_ref:
            client = self._on(instance.host, version="1.15")
        client.cast(context, "rescue_instance", instance=instance,
                    rescue_image_ref=rescue_image_ref)

    def unrescue_instance(self, context, instance):
        self._image_workflow(instance, "unrescue").cast(
            context, "unrescue_instance", instance=instance)
