"""Turn an Instance and its image into the hypervisor's GuestSpec."""

from nimbus.core import exception
from nimbus.core.compute import image_signature
from nimbus.core.interfaces import hypervisor as hv


def image_spec(context, images, image_id, record=None):
    """Return the :class:`ImageSpec` of ``image_id`` (with kernel and
    ramdisk for images naming ``kernel_id``/``ramdisk_id``).

    :param record: the image's record, when the caller has it already.
    """
    if record is None:
        record = images.get(context, image_id)
    props = dict(record.get("properties") or {})
    spec = hv.ImageSpec(
        id=record["id"], disk_format=record.get("disk_format") or "raw",
        container_format=record.get("container_format") or "bare",
        path=images.local_path(context, record["id"]), properties=props)
    if props.get("kernel_id"):
        spec.kernel = image_spec(context, images, props["kernel_id"])
    if props.get("ramdisk_id"):
        spec.ramdisk = image_spec(context, images, props["ramdisk_id"])
    return spec


def build(context, instance, images, conf=None):
    """Return the :class:`GuestSpec` for ``instance``.

    :param conf: given when the guest is made from the image's data (a
        build, rebuild or evacuate): the image's signature is then
        verified first, when ``[glance]`` or the server's trusted
        certificates ask for it (:mod:`.image_signature`).
    :raises BuildAbort: the image is gone or fails its signature check
        (no host could do better).
    """
    image = None
    if instance.image_ref:
        try:
            # One read of the record for the spec and the check.
            record = images.get(context, instance.image_ref)
            image = image_spec(context, images, instance.image_ref,
                               record=record)
            if conf is not None:
                image_signature.verify(context, conf, images, record,
                                       _trusted_certs(instance))
        except (exception.ImageNotFound,
                exception.CertificateValidationFailed,
                exception.ImageSignatureVerificationFailed) as err:
            raise exception.BuildAbort(instance_uuid=instance.uuid,
                                       reason=str(err))
    return hv.GuestSpec(
        uuid=instance.uuid, name=instance.display_name or instance.uuid,
        vcpus=instance.vcpus, memory_mb=instance.memory_mb,
        root_gb=instance.root_gb, ephemeral_gb=instance.ephemeral_gb,
        swap_mb=instance.swap, image=image, user_data=instance.user_data,
        key_data=instance.key_data, metadata=dict(instance.metadata),
        extra_specs=dict(instance.extra_specs))


def _trusted_certs(instance):
    """The server's trusted certificate ids; None also from a service
    that sends Instance 1.2 (before 2.63), during an upgrade."""
    if instance.obj_attr_is_set("trusted_certs"):
        return instance.trusted_certs
    return None


def volume_image(context, images, volume, instance_uuid):
    """The :class:`ImageSpec` describing a volume-backed guest: from its
    boot volume's ``volume_image_metadata`` (properties, and the kernel
    and ramdisk its ``kernel_id``/``ramdisk_id`` name); no data path (the
    volume is the disk). None for a volume made from no image.

    :raises BuildAbort: the kernel or ramdisk image is gone.
    """
    meta = dict(volume.get("volume_image_metadata") or {})
    if not meta:
        return None
    spec = hv.ImageSpec(id=meta.get("image_id") or "", disk_format="raw",
                        container_format="bare", properties=meta)
    try:
        if meta.get("kernel_id"):
            spec.kernel = image_spec(context, images, meta["kernel_id"])
        if meta.get("ramdisk_id"):
            spec.ramdisk = image_spec(context, images, meta["ramdisk_id"])
    except exception.ImageNotFound as err:
        raise exception.BuildAbort(instance_uuid=instance_uuid,
                                   reason=str(err))
    return spec
