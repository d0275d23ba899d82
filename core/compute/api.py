"""The compute API: what every API dialect calls to act on servers.

Dialects translate their requests into these functions and their results
back; they never touch the database or RPC themselves. Each action checks
the instance's state as Nova does (409 from the wrong state), moves the
task state with a guard in SQL, records the action and casts to the
service that does the work. Nothing here waits for a hypervisor.
"""

import json

from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.core import exception, loading, quota, servicegroup
from nimbus.core.compute import (
    api_boot_volumes,
    api_consoles,
    api_diagnostics,
    api_events,
    api_extras,
    api_groups,
    api_images,
    api_live,
    api_migrations,
    api_moves,
    api_network,
    api_power,
    api_tags,
    api_volumes,
    hostnames,
    instance_records,
    task_states,
    vm_states,
    zones,
)
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.compute import trusted_certs as trusted
from nimbus.core.conductor import rpcapi as conductor_rpcapi
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.network import api as network_api
from nimbus.core.objects import flavor as flavor_obj
from nimbus.core.objects import instance as instance_obj

LOG = logging.getLogger(__name__)

# Operation -> the hypervisor capability it needs (a field of
# nimbus.core.interfaces.hypervisor.Capabilities, which each compute
# reports with its node). Operations not listed need none (boot included).
_CAPABILITY_FOR = {
    "pause": "pause", "unpause": "pause",
    "suspend": "suspend", "resume": "suspend",
    "soft_reboot": "soft_reboot",
    "get_console_output": "console_log",
    "attach_interface": "vif_hotplug", "detach_interface": "vif_hotplug",
    "attach_volume": "disk_hotplug", "detach_volume": "disk_hotplug",
    "resize": "cold_migration", "migrate": "cold_migration",
    "live_migration": "live_migration", "block_migration": "block_migration",
    "live_migration_abort": "live_migration_abort",
    "live_migration_force_complete": "live_migration_force_complete",
    "createImage": "snapshot",
    "rescue": "rescue", "unrescue": "rescue",
    "rescue_volume_backed": "rescue_volume_backed",
    "trigger_crash_dump": "crash_dump",
    "set_admin_password": "set_admin_password",
    "get_vnc_console": "vnc_console",
    "get_diagnostics": "diagnostics",
    "extend_volume": "volume_extend",
    "attach_multiattach_volume": "supports_multiattach",
    "tagged_attach_volume": "supports_tagged_attach_volume",
    "tagged_attach_interface": "supports_tagged_attach_interface",
}


def _check_uuid(uuid):
    """A server id that is no UUID names no server (Nova's 404)."""
    if not uuidutils.is_uuid_like(uuid):
        raise exception.InstanceNotFound(instance_id=uuid)


def _visible(context, instance):
    """``instance``, if ``context`` may see it (an admin, or its
    project)."""
    if not context.is_admin and instance.project_id != context.project_id:
        raise exception.InstanceNotFound(instance_id=instance.uuid)
    return instance


class ComputeAPI(api_consoles.ConsolesMixin,
                 api_diagnostics.DiagnosticsMixin,
                 api_events.ExternalEventsMixin,
                 api_extras.ServerExtrasMixin,
                 api_groups.ServerGroupsMixin,
                 api_live.LiveMigrationMixin,
                 api_migrations.MigrationReadMixin,
                 api_moves.MoveMixin,
                 api_images.ImageActionsMixin,
                 api_network.ServerNetworkMixin,
                 api_power.PowerActionsMixin,
                 api_tags.ServerTagsMixin,
                 api_volumes.VolumeAttachMixin,
                 api_boot_volumes.BootVolumesMixin):
    """Server operations for API dialects (one instance per API process).

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota.Quotas(conf, db)
        self.images = loading.load_driver(loading.IMAGES,
                                          conf.images.backend, conf)
        self.network = network_api.NetworkAPI(conf, db)
        self._compute = None
        self._conductor = None

    @property
    def compute_rpc(self):
        if self._compute is None:
            self._compute = compute_rpcapi.ComputeAPI(
                retry=self.conf.api.rpc_send_retries)
        return self._compute

    @property
    def conductor_rpc(self):
        if self._conductor is None:
            self._conductor = conductor_rpcapi.ConductorAPI(
                retry=self.conf.api.rpc_send_retries)
        return self._conductor

    # -- reads --------------------------------------------------------------

    def get(self, context, uuid, read_deleted=False):
        """Return the instance, as long as ``context`` may see it.

        :param read_deleted: a deleted instance too (its record stays).
        :raises InstanceNotFound: no such instance, or another project's.
        """
        _check_uuid(uuid)
        return _visible(context, instance_obj.Instance.get_by_uuid(
            context, uuid, read_deleted=read_deleted))

    def _get_for_delete(self, context, uuid):
        """:meth:`get`, and whether the instance's host is up, in one
        read."""
        _check_uuid(uuid)
        row, service = self.db.instances.get_with_host_service(
            context, uuid, "nimbus-compute")
        instance = _visible(context,
                            instance_obj.Instance.from_row(context, row))
        return instance, service is not None and servicegroup.is_up(
            self.conf, service)

    def get_all(self, context, filters=None, limit=None, marker=None):
        return instance_obj.InstanceList.get_by_filters(
            context, self._scoped(context, filters), limit=limit,
            marker=marker)

    def get_all_records(self, context, filters=None, limit=None,
                        marker=None):
        """:meth:`get_all` as read-only
        :class:`~nimbus.core.compute.instance_records.InstanceRecord`
        objects: for views of many servers, which only read them."""
        return instance_records.from_rows(self.db.instances.get_all(
            context, self._scoped(context, filters), limit=limit,
            marker=marker))

    @staticmethod
    def _scoped(context, filters):
        filters = dict(filters or {})
        if not context.is_admin or not filters.pop("all_tenants", False):
            filters["project_id"] = context.project_id
        return filters

    def faults_for(self, context, instances):
        uuids = [i.uuid for i in instances if i.vm_state == vm_states.ERROR]
        return self.db.actions.faults_latest(context, uuids)

    # -- create -------------------------------------------------------------

    def create(self, context, name, flavor_id, image_id, min_count=1,
               max_count=1, metadata=None, key_name=None, user_data=None,
               availability_zone=None, scheduler_hints=None,
               requested_networks=None, security_groups=None,
               block_devices=None, access_ips=None, description=None,
               tags=None, multiattach=False, requested_host=None,
               requested_node=None, trusted_certs=None, hostname=None):
        """Record the instances and hand them to conductor.

        :param tags: server tags every instance starts with (2.52).
        :param requested_networks: ``"auto"`` (or None), ``"none"``, or
            ``[{"uuid", "fixed_ip", "port"}]``; checked by the network
            service before anything is recorded.
        :param security_groups: group names (or ids) of the servers
            (default: the project's ``default``).
        :param image_id: ``imageRef``; None or empty for a server booted
            from a volume (a ``block_devices`` entry with boot index 0).
        :param block_devices: ``block_device_mapping_v2`` (see
            :meth:`block_devices_for_boot`).
        :param access_ips: ``access_ip_v4``/``access_ip_v6`` to record.
        :param description: the servers' description (2.19), or None.
        :param multiattach: ``block_devices`` may give multiattach
            volumes (2.60).
        :param requested_host: place only on this compute host (2.74).
        :param requested_node: place only on this hypervisor node (2.74);
            either or both: the scheduler's filters still decide.
        :param trusted_certs: (2.63) key manager ids of the certificates
            the image's signing certificate must chain to, or None (see
            :mod:`nimbus.core.compute.trusted_certs`).
        :param hostname: (2.90) the hostname the guest is given, or None
            for one made from ``name`` (see
            :mod:`nimbus.core.compute.hostnames`); only for one server.
        :returns: the list of new instances (``vm_state`` building).
        :raises Invalid: unknown flavor or image, bad counts, an unknown
            network, port or security group, block devices nimbus cannot
            give, a requested host or node no compute node has, trusted
            certificates for a server booted from a volume, a hostname
            for more than one server.
        :raises FixedIpAlreadyInUse, PortInUse, NetworkAmbiguous: (409)
        :raises ServiceUnavailable: the database or the broker does not
            answer; no instance is left recorded.
        """
        if not 1 <= min_count <= max_count:
            raise exception.InvalidInput(
                reason="min_count must be >= 1 and <= max_count")
        if hostname and max_count > 1:
            raise exception.AmbiguousHostnameForMultipleInstances()
        if not image_id:
            trusted.check_volume_backed(self.conf, trusted_certs)
        certs = trusted.for_request(self.conf, trusted_certs)
        # The request's reads in one read transaction (a session each
        # before: one connection checkout, BEGIN and ROLLBACK per read).
        with self.db.reading(context):
            self._check_zone(context, availability_zone)
            destination = self._requested_destination(
                context, requested_host, requested_node)
            flavor = self._flavor_for_boot(context, flavor_id)
            key_data = self._key_data(context, key_name)
            group = self._group_for_boot(context, scheduler_hints)
            # One read of the project's limits serves every check of
            # this request (the recheck counts usage again, not the
            # limits).
            limits = self.quotas.limits(context, context.project_id)
            nics = self.network.validate_requested_networks(
                context, context.project_id, requested_networks,
                count=max_count, limits=limits)
        # The image service is asked outside the transaction: no
        # connection is held across its round trip. A named group is
        # found, or the project's ``default`` made, in a write of its own.
        image = self._image_for_boot(context, image_id) if image_id \
            else None
        groups, group_names = self._groups_for_boot(context,
                                                    security_groups)
        count = max_count
        volumes = self.block_devices_for_boot(context, block_devices,
                                              image_id, count,
                                              multiattach=multiattach)
        # A volume-backed server: its root is the boot volume, whose
        # image (if any) the scheduler's image filters look at.
        boot_image = self.boot_image(volumes)
        reservation_id = "r-" + uuidutils.generate_uuid()[:8]
        rows, actions = [], []
        for index in range(count):
            uuid = uuidutils.generate_uuid()
            display = name if count == 1 else f"{name}-{index + 1}"
            rows.append(self._instance_row(
                context, uuid, display, flavor, image, metadata, key_name,
                key_data, user_data, availability_zone, reservation_id,
                index))
            rows[-1].update(access_ips or {})
            rows[-1]["display_description"] = description
            rows[-1]["trusted_certs"] = json.dumps(certs) if certs else None
            rows[-1]["hostname"] = hostname or hostnames.from_display_name(
                name, uuid, index if count > 1 else None)
            # The groups asked for, shown until the network records the
            # server's own (with its ports, at build time); the zone it
            # is pinned to, if any.
            rows[-1]["system_metadata"] = json.dumps(
                {"requested_security_groups": json.dumps(group_names),
                 zones.PIN: zones.requested_zone(availability_zone)})
            actions.append({"instance_uuid": uuid, "action": "create",
                            "request_id": context.request_id,
                            "user_id": context.user_id,
                            "project_id": context.project_id})
        deltas = {"instances": count, "cores": flavor.vcpus * count,
                  "ram": flavor.memory_mb * count}
        self.quotas.check(context, context.project_id, deltas,
                          limits=limits)
        self.quotas.check_metadata(context, context.project_id, metadata,
                                   limits=limits)
        created = self.db.instances.create_many(context, rows, actions,
                                                tags or ())
        instances = [instance_obj.Instance.from_row(context, r)
                     for r in created]
        self._recheck_quota(context, instances, deltas, limits)
        if volumes:
            try:
                self.claim_block_devices(context, instances[0], volumes)
            except Exception:
                self._local_delete(context, instances[0])
                raise
        self._add_group_members(context, group, [i.uuid for i in instances])
        spec = rs.RequestSpec.for_boot(context, flavor,
                                       boot_image or image, count,
                                       availability_zone, scheduler_hints,
                                       group=group, requested_networks=nics,
                                       security_groups=groups,
                                       requested_destination=destination,
                                       has_volumes=bool(volumes))
        if boot_image is not None:
            # No local root disk to claim on the host (Nova's is_bfv).
            spec.flavor = dict(spec.flavor, root_gb=0)
        try:
            self.conductor_rpc.schedule_and_build_instances(
                context, [i.uuid for i in instances], spec)
        except exception.ServiceUnavailable:
            # The broker never took the build: nothing will ever build
            # these, so the request leaves nothing behind (503).
            for instance in instances:
                self._local_delete(context, instance)
            raise
        return instances

    def _check_zone(self, context, availability_zone):
        """Refuse a zone no compute host is in, before anything is
        recorded (the scheduler would only fail the build later).

        ``zone:host[:node]`` (an admin forcing a host) names the zone
        before the first colon; an empty zone there means any.
        """
        if not availability_zone:
            return
        zone = availability_zone.split(":", 1)[0]
        if not zone:
            return
        if zone not in self._zones(context):
            raise exception.InvalidInput(reason=(
                f"The requested availability zone is not available: "
                f"{zone}"))

    def _zones(self, context):
        """The zones a server may be placed in: its aggregates' and the
        default one."""
        zones = {agg["availability_zone"]
                 for agg in self.db.aggregates.get_all(context)}
        zones.add(self.conf.compute.default_availability_zone)
        return zones

    def _requested_destination(self, context, host, node):
        """The request spec's ``requested_destination`` of a create that
        names a host and/or node (2.74), checked to exist as Nova does:
        a host with a compute node, a node of that name (of that host
        when both are given).

        :returns: ``{"host", "node"}`` (either may be None), or None.
        :raises Invalid: no such compute node (Nova's 400 "Compute host
            <host, else node> could not be found.").
        """
        if not (host or node):
            return None
        nodes = self.db.compute_nodes.get_all(
            context.elevated(), host=host or None,
            hypervisor_hostname=node or None)
        if not nodes:
            raise exception.Invalid(
                message=f"Compute host {host or node} could not be found.")
        return {"host": host or None, "node": node or None}

    def _recheck_quota(self, context, instances, deltas, limits=None):
        """Check again now the instances are recorded; if a concurrent
        request pushed the project over, undo ours and fail."""
        try:
            self.quotas.check(context, context.project_id, deltas,
                              already_added=True, limits=limits)
        except exception.OverQuota:
            for instance in instances:
                self._local_delete(context, instance)
            raise

    def _groups_for_boot(self, context, names):
        """The server's security groups, each checked to exist:
        ``(refs as given, their names)``; the names are ``["default"]``
        when none is given (the network then uses the project's
        ``default``).

        :raises InvalidInput: an unknown or ambiguous group.
        """
        names = list(dict.fromkeys(names or []))
        resolved = []
        for ref in names:
            try:
                group = self.network.allocator.find_group(
                    context, context.project_id, ref)
            except (exception.SecurityGroupNotFound,
                    exception.Conflict) as err:
                raise exception.InvalidInput(reason=str(err))
            if group["name"] not in resolved:
                resolved.append(group["name"])
        return names, resolved or ["default"]

    def _flavor_for_boot(self, context, flavor_id):
        try:
            return flavor_obj.Flavor.get_by_flavor_id(context, flavor_id)
        except exception.FlavorNotFound:
            raise exception.Invalid(
                reason=f"Flavor {flavor_id} could not be found.")

    def _image_for_boot(self, context, image_id):
        try:
            image = self.images.get(context, image_id)
        except exception.ImageNotFound:
            raise exception.Invalid(
                reason=f"Image {image_id} could not be found.")
        if image["status"] != "active":
            raise exception.Invalid(
                reason=f"Image {image_id} is not active.")
        return image

    def _key_data(self, context, key_name):
        if not key_name:
            return None
        try:
            return self.db.keypairs.get(context, context.user_id,
                                        key_name)["public_key"]
        except exception.NotFound:
            raise exception.Invalid(
                reason=f"Invalid key_name provided: {key_name}")

    def _instance_row(self, context, uuid, name, flavor, image, metadata,
                      key_name, key_data, user_data, availability_zone,
                      reservation_id, index):
        return {
            "uuid": uuid, "display_name": name,
            "project_id": context.project_id, "user_id": context.user_id,
            "image_ref": image["id"] if image else "", "flavor_id": flavor.flavorid,
            "flavor_name": flavor.name, "vcpus": flavor.vcpus,
            "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
            "ephemeral_gb": flavor.ephemeral_gb, "swap": flavor.swap,
            "extra_specs": json.dumps(dict(flavor.extra_specs)),
            "vm_state": vm_states.BUILDING,
            "task_state": task_states.SCHEDULING, "power_state": 0,
            "metadata_json": json.dumps(metadata or {}),
            "key_name": key_name, "key_data": key_data,
            "user_data": user_data,
            # the zone asked for until conductor places the server in
            # its host's
            "availability_zone": zones.requested_zone(availability_zone),
            "reservation_id": reservation_id, "launch_index": index,
        }

    # -- delete -------------------------------------------------------------

    def delete(self, context, uuid, authorize=None):
        """Delete in any state; a build racing with the delete is retried
        against its new task state rather than refused.

        :param authorize: called with the instance before anything is
            changed (an API's policy check against its owner), or None.
        """
        instance, host_up = self._get_for_delete(context, uuid)
        if authorize is not None:
            authorize(instance)
        self._check_lock(context, instance)
        if instance.vm_state in (vm_states.SHELVED,
                                 vm_states.SHELVED_OFFLOADED):
            self._delete_shelved_image(context, instance)
        for attempt in range(5):
            if attempt:  # the instance changed: where is it now?
                host_up = instance.host is not None and self._host_is_up(
                    context, instance.host)
            if not host_up:
                self._record_delete(context, instance)
                self._local_delete(context, instance)
                return
            if instance.task_state == task_states.DELETING:
                self._record_delete(context, instance)
                return
            if instance.vm_state == vm_states.RESIZED:
                self.drop_resize_source(context, instance)
            current = instance.task_state
            instance.task_state = task_states.DELETING
            try:
                # The action, the console tokens and the guarded state
                # change in one write transaction (three before): a
                # guard that fails rolls the other two back for the
                # next attempt.
                with self.db.writing(context):
                    self._record_delete(context, instance)
                    instance.save(expected_task_state=(current,))
                    # After the guard: an attach committed before it is
                    # seen here, a later one fails its own guard (see
                    # attach_volume), so "none" spares the compute its
                    # read of them.
                    has_volumes = self.db.block_devices.has_volumes(
                        context, instance.uuid)
            except exception.UnexpectedTaskStateError:
                instance.refresh()
                continue
            self.compute_rpc.terminate_instance(context, instance,
                                                has_volumes=has_volumes)
            return
        self._record_delete(context, instance)
        raise exception.Conflict(
            reason=f"Instance {uuid} changed state during delete; retry")

    def _record_delete(self, context, instance):
        """The delete's instance action; the console tokens go."""
        self.db.actions.action_start(context, instance.uuid, "delete")
        self.db.console_tokens.delete_for_instance(context, instance.uuid)

    def _delete_shelved_image(self, context, instance):
        """The snapshot a shelved server would unshelve from goes with
        the server (Nova's); one that is gone already, or that the caller
        may not delete, stays (logged)."""
        image_id = instance.system_metadata.get("shelved_image_id")
        if not image_id:
            return
        try:
            self.images.delete(context, image_id)
        except (exception.ImageNotFound, exception.ImageForbidden) as err:
            LOG.warning("Shelved image %(image)s of %(uuid)s not deleted: "
                        "%(err)s", {"image": image_id,
                                    "uuid": instance.uuid, "err": err})
        except Exception:
            LOG.exception("Could not delete shelved image %(image)s of "
                          "%(uuid)s", {"image": image_id,
                                       "uuid": instance.uuid})

    def _local_delete(self, context, instance):
        """Delete an instance no compute holds (never placed, or its host
        is down): the database is all there is to clean, its network
        records included."""
        try:
            self.network.release_instance(context.elevated(), instance.uuid)
        except Exception:
            # nimbus-network reaps the ports of deleted servers.
            LOG.exception("Could not release the network of %s",
                          instance.uuid)
        self.release_volumes(context, instance)
        try:
            instance.destroy()
        except exception.InstanceNotFound:
            pass

    def _host_is_up(self, context, host):
        try:
            service = self.db.services.get_by_host_and_binary(
                context, host, "nimbus-compute")
        except exception.ServiceNotFound:
            return False
        return servicegroup.is_up(self.conf, service)

    # -- actions ------------------------------------------------------------

    def _check_lock(self, context, instance):
        if instance.locked and not context.is_admin:
            raise exception.Conflict(
                reason=f"Instance {instance.uuid} is locked")

    def _check_capable(self, context, instance, action, operation=None):
        """Refuse ``action`` when the hypervisor of the instance's host
        lacks the capability it needs (see ``_CAPABILITY_FOR``).

        :param operation: the ``_CAPABILITY_FOR`` key when it is not
            ``action`` (a soft reboot is action "reboot").
        :raises ActionNotSupportedByHost: the host's plugin does not
            declare the capability.
        """
        capability = _CAPABILITY_FOR.get(operation or action)
        if capability is None or instance.host is None:
            return
        node = self.db.compute_nodes.get_capabilities(
            context, instance.host, instance.node)
        caps = node and node["capabilities"]
        if caps is None:
            # A compute older than capability reporting (or not reported
            # yet): treat it as capable. Refusing would block these
            # actions on every old host during a rolling upgrade; the
            # compute still fails an operation its plugin cannot do.
            LOG.debug("Host %(host)s reported no capabilities; assuming "
                      "it can %(cap)s", {"host": instance.host,
                                         "cap": capability})
            return
        # A capability the host's (older) Capabilities lacks: capable too.
        if not caps.get(capability, True):
            raise exception.ActionNotSupportedByHost(
                action=action, instance_uuid=instance.uuid,
                host=instance.host, hypervisor=node["hypervisor_type"],
                capability=capability)

    def _check_tagged_attach(self, context, instance, what):
        """Refuse a tagged attach of a ``volume`` or an ``interface``
        when the hypervisor of the instance's host does not declare
        ``supports_tagged_attach_<what>`` (Nova's 400s)."""
        try:
            self._check_capable(context, instance, f"attach_{what}",
                                operation=f"tagged_attach_{what}")
        except exception.ActionNotSupportedByHost:
            if what == "volume":
                raise exception.VolumeTaggedAttachNotSupported()
            raise exception.NetworkInterfaceTaggedAttachNotSupported()

    def _begin(self, context, uuid, action, vm_ok, new_task,
               task_ok=(None,), operation=None):
        """Check the state and the host's capability, set ``new_task``
        with a guard, record the action; return the instance.

        :param operation: see :meth:`_check_capable`.
        """
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state not in vm_ok:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="vm_state",
                state=instance.vm_state)
        if instance.task_state not in task_ok:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="task_state",
                state=instance.task_state)
        self._check_capable(context, instance, action, operation)
        instance.task_state = new_task
        instance.save(expected_task_state=task_ok, expected_vm_state=vm_ok)
        self.db.actions.action_start(context, uuid, action)
        return instance

    def get_console_output(self, context, uuid, length=None):
        instance = self.get(context, uuid)
        if instance.host is None or instance.vm_state in (
                vm_states.BUILDING, vm_states.ERROR):
            raise exception.InstanceInvalidState(
                action="get_console_output", instance_uuid=uuid,
                attr="vm_state", state=instance.vm_state)
        self._check_capable(context, instance, "get_console_output")
        max_bytes = None if length is None else max(0, length) * 200
        text = self.compute_rpc.get_console_output(context, instance,
                                                   max_bytes)
        if length is not None:
            lines = text.splitlines()
            text = "\n".join(lines[-length:]) if length else ""
        return text
