"""Per-microversion additions to the server body."""

from nimbus.api.openstack import common


def extend(server, instance, show_admin_attrs):
    """Add the fields newer microversions define (2.3, 2.9, 2.19,
    2.63, 2.73)."""
    if common.at_least(3) and show_admin_attrs:
        server.update({
            "OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
            "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
            "OS-EXT-SRV-ATTR:hostname": _hostname(instance.display_name),
            "OS-EXT-SRV-ATTR:kernel_id": "",
            "OS-EXT-SRV-ATTR:ramdisk_id": "",
            "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
            "OS-EXT-SRV-ATTR:user_data": instance.user_data,
        })
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
    return server


def _hostname(name):
    cleaned = "".join(c if c.isalnum() or c == "-" else "-"
                      for c in (name or "").lower()).strip("-")
    return cleaned[:63] or "server"
