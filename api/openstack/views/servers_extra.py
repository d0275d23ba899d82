"""Per-microversion additions to the server body."""

from nimbus.api.openstack import common
from nimbus.core.compute import hostnames, zones


def extend(server, instance, show_admin_attrs, version=None):
    """Add the fields newer microversions define (2.3, 2.9, 2.19,
    2.63, 2.73, 2.90, 2.96).

    :param version: the request's microversion when the caller has it.
    """
    version = version or common.version()
    if version >= (2, 3) and show_admin_attrs:
        server.update({
            "OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
            "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
            "OS-EXT-SRV-ATTR:hostname": hostnames.of(instance),
            "OS-EXT-SRV-ATTR:kernel_id": "",
            "OS-EXT-SRV-ATTR:ramdisk_id": "",
            "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
            "OS-EXT-SRV-ATTR:user_data": instance.user_data,
        })
    if version >= (2, 90):
        # 2.90: the hostname for everyone, not only by policy (Nova's).
        server["OS-EXT-SRV-ATTR:hostname"] = hostnames.of(instance)
    if version >= (2, 9):
        server["locked"] = bool(instance.locked)
    if version >= (2, 19):
        server["description"] = instance.display_description
    if version >= (2, 63):
        server["trusted_image_certificates"] = \
            list(instance.trusted_certs) if instance.trusted_certs else None
    if version >= (2, 73):
        # the reason given at lock (null without one, and once unlocked)
        server["locked_reason"] = (instance.system_metadata or {}).get(
            "locked_reason")
    if version >= (2, 96):
        server["pinned_availability_zone"] = pinned_zone(instance)
    return server


def pinned_zone(instance):
    """2.96: the zone the server is pinned to (the create's, or a later
    unshelve's), None when it never was or 2.91's unshelve unpinned it;
    not the zone it is in (``OS-EXT-AZ:availability_zone``, its host's).
    """
    return zones.pinned(instance)
