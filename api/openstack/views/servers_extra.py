"""Per-microversion additions to the server body."""

from nimbus.api.openstack import common
from nimbus.core.compute import hostnames


def extend(server, instance, show_admin_attrs):
    """Add the fields newer microversions define (2.3, 2.9, 2.19,
    2.63, 2.73, 2.90, 2.96)."""
    if common.at_least(3) and show_admin_attrs:
        server.update({
            "OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
            "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
            "OS-EXT-SRV-ATTR:hostname": hostnames.of(instance),
            "OS-EXT-SRV-ATTR:kernel_id": "",
            "OS-EXT-SRV-ATTR:ramdisk_id": "",
            "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
            "OS-EXT-SRV-ATTR:user_data": instance.user_data,
        })
    if common.at_least(90):
        # 2.90: the hostname for everyone, not only by policy (Nova's).
        server["OS-EXT-SRV-ATTR:hostname"] = hostnames.of(instance)
    if common.at_least(9):
        server["locked"] = bool(instance.locked)
    if common.at_least(19):
        server["description"] = instance.display_description
    if common.at_least(63):
        server["trusted_image_certificates"] = \
            list(instance.trusted_certs) if instance.trusted_certs else None
    if common.at_least(73):
        # the reason given at lock (null without one, and once unlocked)
        server["locked_reason"] = (instance.system_metadata or {}).get(
            "locked_reason")
    if common.at_least(96):
        server["pinned_availability_zone"] = pinned_zone(instance)
    return server


def pinned_zone(instance):
    """2.96: the zone the server is pinned to (the create's, or a later
    unshelve's), None when it never was or 2.91's unshelve unpinned it.

    nimbus records the pin as the instance's ``availability_zone`` (what
    Nova keeps in the request spec); a create that forced a host
    (``zone:host[:node]``) pinned the zone part, if any.
    """
    zone = (instance.availability_zone or "").split(":", 1)[0]
    return zone or None
