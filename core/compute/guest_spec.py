"""Turn an Instance and its image into the hypervisor's GuestSpec."""

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv


def image_spec(context, images, image_id):
    """Return the :class:`ImageSpec` of ``image_id`` (with kernel and
    ramdisk for images naming ``kernel_id``/``ramdisk_id``)."""
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


def build(context, instance, images):
    """Return the :class:`GuestSpec` for ``instance``.

    :raises BuildAbort: the image is gone (no host could do better).
    """
    image = None
    if instance.image_ref:
        try:
            image = image_spec(context, images, instance.image_ref)
        except exception.ImageNotFound as err:
            raise exception.BuildAbort(instance_uuid=instance.uuid,
                                       reason=str(err))
    return hv.GuestSpec(
        uuid=instance.uuid, name=instance.display_name or instance.uuid,
        vcpus=instance.vcpus, memory_mb=instance.memory_mb,
        root_gb=instance.root_gb, ephemeral_gb=instance.ephemeral_gb,
        swap_mb=instance.swap, image=image, user_data=instance.user_data,
        key_data=instance.key_data, metadata=dict(instance.metadata),
        extra_specs=dict(instance.extra_specs))
