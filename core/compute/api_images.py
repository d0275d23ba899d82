"""Server actions that work with images or place a server anew: rebuild,
createImage (snapshot), shelve, shelveOffload, unshelve, rescue,
unrescue and evacuate.

:class:`ImageActionsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI` and uses its ``_begin``
(state check, capability check, guarded task state, action record),
``images``, ``compute_rpc`` and ``conductor_rpc``. Every check that can
fail runs before anything is recorded or cast.
"""

import secrets
import string

from nimbus.core import exception
from nimbus.core.compute import task_states, vm_states, zones
from nimbus.core.compute import trusted_certs as trusted
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import flavor as flavor_obj

_REBUILD_FROM = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR)
_SNAPSHOT_FROM = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED,
                  vm_states.SUSPENDED)
_SHELVE_FROM = _SNAPSHOT_FROM
_UNSHELVE_FROM = (vm_states.SHELVED, vm_states.SHELVED_OFFLOADED)
_RESCUE_FROM = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR)
_EVACUATE_FROM = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR)

#: base-image properties a snapshot does not inherit (Nova's list, less
#: what nimbus never sets).
_NOT_INHERITED = ("image_type", "instance_uuid", "base_image_ref",
                  "image_location", "image_state", "owner_id",
                  "owner_project_name", "owner_user_name", "user_id")
#: a ``rebuild`` argument the request leaves as it is (None there means
#: "remove it", as Nova reads a null).
KEEP = object()
_PASSWORD_CHARS = string.ascii_letters + string.digits


def generate_password(length=12):
    """A random admin password, as Nova returns in ``adminPass``."""
    return "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(length))


class ImageActionsMixin:
    """See the module docstring."""

    # -- images ---------------------------------------------------------------

    def _base_image(self, context, instance):
        if not instance.image_ref:
            return None
        try:
            return self.images.get(context, instance.image_ref)
        except exception.ImageNotFound:
            return None

    def _queue_snapshot(self, context, instance, name, metadata=None,
                        extra=None):
        """Record a queued image for a snapshot of ``instance`` with the
        properties Nova gives one (``image_type`` snapshot, the instance,
        the base image and its kernel/ramdisk so the snapshot boots, and
        what Nova's libvirt driver adds with the data: ``image_location``
        snapshot, ``image_state`` available, ``owner_id``)."""
        base = self._base_image(context, instance) or {}
        props = {k: v for k, v in (base.get("properties") or {}).items()
                 if k not in _NOT_INHERITED}
        props.update(image_type="snapshot", instance_uuid=instance.uuid,
                     user_id=context.user_id, image_location="snapshot",
                     image_state="available", owner_id=instance.project_id)
        if instance.image_ref:
            props["base_image_ref"] = instance.image_ref
        props.update(extra or {})
        props.update(metadata or {})
        fmt = base.get("disk_format")
        record = {
            "name": name,
            "disk_format": fmt if fmt in ("raw", "qcow2") else "raw",
            "container_format": "bare", "visibility": "private",
            "owner": context.project_id,
            "min_disk": max(instance.root_gb, base.get("min_disk") or 0),
            "min_ram": base.get("min_ram") or 0,
            "properties": props,
        }
        return self.images.create(context, record)

    def create_image(self, context, uuid, name, metadata=None):
        """Snapshot the server into a new image (createImage).

        :returns: the queued image record (the compute uploads its data
            and makes it active).
        :raises InstanceInvalidState: (409) wrong state, or volume-backed.
        """
        instance = self._check_image_action(context, uuid, "createImage",
                                            _SNAPSHOT_FROM)
        image = self._queue_snapshot(context, instance, name, metadata)
        try:
            instance = self._begin(context, uuid, "createImage",
                                   _SNAPSHOT_FROM,
                                   task_states.IMAGE_SNAPSHOT_PENDING)
        except Exception:
            self.images.delete(context, image["id"])
            raise
        self.compute_rpc.snapshot_instance(context, instance, image["id"])
        return image

    def _check_image_action(self, context, uuid, action, vm_ok,
                            needs_disk=True):
        """The pre-checks of an action that will snapshot the root disk:
        state, volume-backed servers, host capability, RPC pins."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state not in vm_ok or instance.task_state is not None:
            attr = "vm_state" if instance.vm_state not in vm_ok \
                else "task_state"
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr=attr,
                state=getattr(instance, attr))
        if needs_disk and not instance.image_ref:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="root device",
                state="volume-backed")
        self._check_capable(context, instance, action)
        self.compute_rpc.check_image_workflows(instance, action)
        return instance

    # -- rebuild --------------------------------------------------------------

    def rebuild(self, context, uuid, image_id, name=None, metadata=None,
                admin_password=None, preserve_ephemeral=False,
                description=KEEP, key_name=KEEP, user_data=KEEP,
                trusted_certs=KEEP, hostname=KEEP,
                reimage_boot_volume=False):
        """Rebuild the server on its host from ``image_id``.

        A volume-backed server keeps its root volume: rebuilt with the
        image it was made from, or (``reimage_boot_volume``, 2.93) with
        another one written onto that volume by the volume service.

        :param description: the new description (None removes it), or
            :data:`KEEP`.
        :param key_name: (2.54) a key pair of the caller's (who may not
            be the server's owner, as in Nova), None to drop the
            server's, or :data:`KEEP`.
        :param user_data: (2.57) the new user data (base64), None to drop
            it, or :data:`KEEP`.
        :param trusted_certs: (2.63) the certificate ids to trust from
            now on, None for the deployment's defaults (or none), or
            :data:`KEEP`.
        :param hostname: (2.90) the hostname the guest is given from now
            on (the metadata service, DHCP), or :data:`KEEP`.

        :returns: ``(instance, admin_password)``.
        :raises Invalid: unknown or inactive image, one too big for the
            server's flavor, no such key pair, or trusted certificates
            for a volume-backed server.
        :raises ImageUnacceptable: (400) another image for a
            volume-backed server without ``reimage_boot_volume``.
        :raises InvalidInput: (400) its root volume cannot be re-imaged
            (multiattach, or its backend cannot).
        """
        if preserve_ephemeral:
            raise exception.Invalid(
                reason="preserve_ephemeral is not supported")
        instance = self.get(context, uuid)
        certs = KEEP
        if trusted_certs is not KEEP:
            if not instance.image_ref:
                trusted.check_volume_backed(self.conf, trusted_certs,
                                            rebuild=True)
            certs = trusted.for_request(self.conf, trusted_certs)
        image = self._image_for_boot(context, image_id)
        if image.get("min_disk") and instance.root_gb and \
                image["min_disk"] > instance.root_gb:
            raise exception.Invalid(
                reason=f"Flavor's disk is too small for requested image: "
                       f"{instance.root_gb} GB < {image['min_disk']} GB")
        if image.get("min_ram") and image["min_ram"] > instance.memory_mb:
            raise exception.Invalid(
                reason=f"Flavor's memory is too small for requested image: "
                       f"{instance.memory_mb} MB < {image['min_ram']} MB")
        reimage = False
        if not instance.image_ref:
            reimage = self._check_volume_backed_rebuild(
                context, instance, image, reimage_boot_volume)
        if metadata is not None:
            self.quotas.check_metadata(context, instance.project_id,
                                       metadata)
        values = {field: value for field, value in (
            ("display_description", description), ("user_data", user_data),
            ("key_name", key_name), ("trusted_certs", certs),
            ("hostname", hostname)) if value is not KEEP}
        if key_name is not KEEP:
            values["key_data"] = self._key_data(context, key_name)
        self.compute_rpc.check_image_workflows(instance, "rebuild")
        instance = self._begin(context, uuid, "rebuild", _REBUILD_FROM,
                               task_states.REBUILDING)
        if name is not None:
            values["display_name"] = name
        if metadata is not None:
            values["metadata"] = dict(metadata)
        if values:
            for field, value in values.items():
                setattr(instance, field, value)
            instance.save()
        if hostname is not KEEP:
            self.network.set_instance_hostname(context, instance.uuid,
                                               hostname)
        self.compute_rpc.rebuild_instance(context, instance, image["id"],
                                          reimage_boot_volume=reimage)
        return instance, admin_password or generate_password()

    def _root_volume_id(self, context, instance):
        """The volume with boot index 0, or None (a record without)."""
        for mapping in self.db.block_devices.get_by_instance(
                context, instance.uuid):
            if mapping.get("boot_index") == 0 and mapping.get("volume_id"):
                return mapping["volume_id"]
        return None

    def _check_volume_backed_rebuild(self, context, instance, image,
                                     allowed):
        """Whether the root volume must be re-imaged (another image than
        the one it was made from), refusing what cannot be (Nova's and
        Cinder's 400s) before anything is recorded."""
        volume_id = self._root_volume_id(context, instance)
        if volume_id is None:
            return False
        volume = self.volumes.get_volume(context.elevated(), volume_id)
        made_from = (volume.get("volume_image_metadata") or {}).get(
            "image_id")
        if made_from == image["id"]:
            return False
        if not allowed:
            raise exception.ImageUnacceptable(
                image_id=image["id"],
                reason="Unable to rebuild with a different image for a "
                       "volume-backed server.")
        self.volumes.check_reimage(context, volume_id)
        if int(image.get("min_disk") or 0) > volume["size"]:
            raise exception.ImageUnacceptable(
                image_id=image["id"],
                reason=f"Image min_disk {image['min_disk']} GB is larger "
                       f"than the root volume ({volume['size']} GB).")
        self.compute_rpc.check_volume_backed(instance, "rebuild")
        return True

    # -- shelve -----------------------------------------------------------------

    def shelve(self, context, uuid):
        """Stop the server, snapshot it (unless volume-backed) and let its
        host go (at once or after ``[compute] shelved_offload_time``)."""
        instance = self._check_image_action(context, uuid, "shelve",
                                            _SHELVE_FROM, needs_disk=False)
        image_id = None
        if instance.image_ref:
            self._check_capable(context, instance, "createImage")
            image_id = self._queue_snapshot(
                context, instance, f"{instance.display_name}-shelved")["id"]
        try:
            instance = self._begin(context, uuid, "shelve", _SHELVE_FROM,
                                   task_states.SHELVING)
        except Exception:
            if image_id:
                self.images.delete(context, image_id)
            raise
        self.compute_rpc.shelve_instance(context, instance, image_id)

    def shelve_offload(self, context, uuid):
        """Free the host of a SHELVED server now."""
        instance = self._check_image_action(
            context, uuid, "shelveOffload", (vm_states.SHELVED,),
            needs_disk=False)
        instance = self._begin(context, uuid, "shelveOffload",
                               (vm_states.SHELVED,),
                               task_states.SHELVING_OFFLOADING)
        self.compute_rpc.shelve_offload_instance(context, instance)

    def unshelve(self, context, uuid, availability_zone=KEEP, host=None):
        """Start a shelved server: on its host if it still has one, else
        through the scheduler.

        A server may be pinned to a zone (the create's or a later
        unshelve's; see :mod:`~nimbus.core.compute.zones`): every move
        stays in it. The table of Nova's 2.91 for an offloaded server:

        ==========  ======  =========================================
        zone given  host    placed, and pinned to afterwards
        ==========  ======  =========================================
        no          no      in its pinned zone (if any); pin kept
        no          yes     on the host, which must be in the pinned
                            zone (if any); pin kept
        a zone      no      in that zone; pinned to it
        a zone      yes     on the host, which must be in that zone;
                            pinned to it
        None        no      anywhere; unpinned
        None        yes     on the host; unpinned
        ==========  ======  =========================================

        :param availability_zone: (2.77) a zone; (2.91) None to unpin;
            :data:`KEEP` (not given) keeps the pin.
        :param host: (2.91, admins by policy) the host to place on; the
            scheduler still filters and claims it.
        :raises UnshelveInstanceInvalidState: a zone or host for a
            server that still has its host (SHELVED), Nova's 409.
        :raises UnshelveHostNotInAZ: the host is outside that zone (409).
        :raises Invalid: a zone that is not available, a host no compute
            node has (Nova's 400s).
        """
        instance = self.get(context, uuid)
        pin = zones.pinned(instance)
        destination = None
        if (availability_zone is not KEEP or host) and \
                instance.vm_state in _UNSHELVE_FROM:
            self._check_lock(context, instance)
            if instance.vm_state != vm_states.SHELVED_OFFLOADED:
                raise exception.UnshelveInstanceInvalidState(
                    instance_uuid=uuid, state=instance.vm_state)
            if availability_zone is not KEEP:
                pin = availability_zone
            if pin is not None and availability_zone is not KEEP and \
                    pin not in self._zones(context):
                raise exception.Invalid(message=(
                    "The requested availability zone is not available"))
            if host:
                destination = self._unshelve_destination(context, host, pin)
        if instance.vm_state == vm_states.SHELVED_OFFLOADED:
            self.conductor_rpc.check_placing("unshelve")
        else:
            self.compute_rpc.check_image_workflows(instance, "unshelve")
        instance = self._begin(context, uuid, "unshelve", _UNSHELVE_FROM,
                               task_states.UNSHELVING)
        if instance.vm_state == vm_states.SHELVED:
            self.compute_rpc.unshelve_instance(context, instance)
            return
        image_id = instance.system_metadata.get("shelved_image_id") or \
            instance.image_ref
        spec = self._spec_for(context, instance, image_id, pin)
        spec.requested_destination = destination
        self.conductor_rpc.unshelve_instance(context, instance.uuid, spec)

    def _unshelve_destination(self, context, host, zone):
        """The ``requested_destination`` of an unshelve onto ``host``,
        which must have a compute node and be in ``zone`` (when the
        server will be pinned to one)."""
        destination = self._requested_destination(context, host, None)
        if zone and zones.host_zone(self.conf, self.db, context,
                                    host) != zone:
            raise exception.UnshelveHostNotInAZ(host=host, av_zone=zone)
        return destination

    def _spec_for(self, context, instance, image_id, zone=None):
        """The RequestSpec to place an existing server anew (its own
        flavor values, its image's properties)."""
        flavor = flavor_obj.Flavor(
            flavorid=instance.flavor_id or "", name=instance.flavor_name or "",
            vcpus=instance.vcpus, memory_mb=instance.memory_mb,
            root_gb=instance.root_gb, ephemeral_gb=instance.ephemeral_gb,
            swap=instance.swap, extra_specs=dict(instance.extra_specs))
        try:
            image = self.images.get(context, image_id) if image_id else {}
        except exception.ImageNotFound:
            image = {}
        image = {"id": image_id, "properties": image.get("properties", {})}
        return rs.RequestSpec.for_boot(context, flavor, image, 1, zone)

    # -- rescue -----------------------------------------------------------------

    def rescue(self, context, uuid, rescue_image_ref=None,
               admin_password=None, allow_volume_backed=False):
        """Boot the server from a rescue image with its own disk attached
        second; a volume-backed server's (``allow_volume_backed``, 2.87)
        with every volume at its own device (stable device rescue).

        :returns: the admin password (given or generated).
        :raises InstanceNotRescuable: (400) a volume-backed server below
            2.87, with a rescue image lacking ``hw_rescue_device`` and
            ``hw_rescue_bus``, or on a host that cannot.
        """
        instance = self._check_image_action(context, uuid, "rescue",
                                            _RESCUE_FROM, needs_disk=False)
        if not instance.image_ref and not allow_volume_backed:
            raise exception.InstanceNotRescuable(
                instance_id=uuid,
                reason="Cannot rescue a volume-backed instance")
        image_ref = rescue_image_ref or \
            self.conf.compute.default_rescue_image or instance.image_ref
        if not image_ref:
            raise exception.Invalid(
                reason="Cannot rescue a volume-backed server without a "
                       "rescue image")
        image = self._image_for_boot(context, image_ref)
        if not instance.image_ref:
            self._check_volume_backed_rescue(context, instance, image)
        instance = self._begin(context, uuid, "rescue", _RESCUE_FROM,
                               task_states.RESCUING)
        self.compute_rpc.rescue_instance(context, instance, image_ref)
        return admin_password or generate_password()

    def _check_volume_backed_rescue(self, context, instance, image):
        props = image.get("properties") or {}
        if not (props.get("hw_rescue_device") or
                props.get("hw_rescue_bus")):
            # Nova's: only a stable device rescue keeps the root volume.
            raise exception.InstanceNotRescuable(
                instance_id=instance.uuid,
                reason="Cannot rescue a volume-backed instance")
        try:
            self._check_capable(context, instance, "rescue",
                                operation="rescue_volume_backed")
        except exception.ActionNotSupportedByHost:
            raise exception.InstanceNotRescuable(
                instance_id=instance.uuid,
                reason="Host unable to rescue a volume-backed "
                       "instance") from None
        self.compute_rpc.check_volume_backed(instance, "rescue")

    def unrescue(self, context, uuid):
        instance = self._check_image_action(
            context, uuid, "unrescue", (vm_states.RESCUED,),
            needs_disk=False)
        instance = self._begin(context, uuid, "unrescue",
                               (vm_states.RESCUED,), task_states.UNRESCUING)
        self.compute_rpc.unrescue_instance(context, instance)

    # -- evacuate ---------------------------------------------------------------

    def cache_images(self, context, aggregate_id, image_ids):
        """Have the hosts of the aggregate copy the images into their
        image caches ahead of any boot (Compute API 2.81); returns at
        once (conductor asks the hosts).

        :raises AggregateNotFound: (404) no such aggregate.
        :raises Invalid: (400) an image is repeated, unknown or not
            active, or conductor or the computes are pinned below the
            RPC that carries the request; nothing is asked then.
        """
        if len(set(image_ids)) != len(image_ids):
            raise exception.Invalid(message="Duplicate images in request")
        aggregate = self.db.aggregates.get(context, aggregate_id)
        for image_id in image_ids:
            self._image_for_boot(context, image_id)
        try:
            self.compute_rpc.check_image_precache()
        except exception.UnsupportedOperation as err:
            raise exception.Invalid(message=str(err))
        self.conductor_rpc.cache_images(context, aggregate["id"],
                                        image_ids)

    def evacuate(self, context, uuid, host=None, admin_password=None,
                 target_state=None):
        """Rebuild a server of a host that is down on another host.

        :param target_state: the vm_state it ends in (``stopped``, 2.95)
            unless it is in ERROR; None: the one it has.
        :returns: the admin password (given or generated).
        :raises EvacuateTargetStateNotSupported: (400) ``target_state``
            while the services are pinned below the RPC that carries it.
        :raises InstanceInvalidState: (409) wrong state.
        :raises Invalid: (400) the server's host is up.
        :raises Conflict: (409) ``host`` is the server's host.
        :raises ComputeHostNotFound: (404) ``host`` is no compute host.
        """
        instance = self.get(context, uuid)
        if instance.vm_state not in _EVACUATE_FROM or \
                instance.task_state is not None:
            raise exception.InstanceInvalidState(
                action="evacuate", instance_uuid=uuid, attr="vm_state",
                state=instance.vm_state)
        source = instance.host
        if source is None:
            raise exception.Conflict(
                reason=f"Instance {uuid} has no host to evacuate from")
        if self._host_is_up(context, source):
            # Nova's 400 (ComputeServiceInUse).
            raise exception.Invalid(
                message=f"Compute service of {source} is still in use.")
        if host is not None:
            if host == source:
                raise exception.Conflict(
                    reason="The target host can't be the same one.")
            self._check_target(context, host)
        self.conductor_rpc.check_placing("evacuate")
        if target_state is not None:
            self.conductor_rpc.check_evacuate_target_state()
            self.compute_rpc.check_evacuate_target_state()
        instance = self._begin(context, uuid, "evacuate", _EVACUATE_FROM,
                               task_states.REBUILDING)
        self.conductor_rpc.evacuate_instance(
            context, instance.uuid, instance.image_ref, host,
            target_state=target_state)
        return admin_password or generate_password()

    def _check_target(self, context, host):
        try:
            self.db.services.get_by_host_and_binary(context, host,
                                                    "nimbus-compute")
        except exception.ServiceNotFound:
            raise exception.ComputeHostNotFound(host=host)
