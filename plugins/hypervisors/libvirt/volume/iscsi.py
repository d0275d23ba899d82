"""iSCSI LUNs reached by QEMU's own initiator (libiscsi).

The host needs no kernel initiator: libvirt hands QEMU the portal, IQN and
LUN (``<disk type='network'><source protocol='iscsi'>``). CHAP passwords go
into a libvirt secret named ``nimbus-chap-<instance>-<serial>`` that the
disk references by usage, never into the domain XML.
"""

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt.volume import base

DEFAULT_PORT = 3260


def secret_usage(owner, serial):
    """Return the usage name of the CHAP secret of one attached disk."""
    return f"nimbus-chap-{owner}-{serial}"


def parse_portal(portal):
    """Return ``(host, port)`` from ``"host[:port]"`` (IPv6 in brackets)."""
    if not portal:
        raise exception.InvalidInput(reason="iSCSI disk without portal")
    host, port = portal, DEFAULT_PORT
    if portal.startswith("["):
        host, _, rest = portal[1:].partition("]")
        if rest.startswith(":"):
            port = rest[1:]
    elif portal.count(":") == 1:
        host, port = portal.split(":")
    try:
        port = int(port)
    except ValueError:
        port = -1
    if not host or not 0 < port < 65536:
        raise exception.InvalidInput(
            reason=f"invalid iSCSI portal {portal!r}")
    return host, port


class ISCSIVolume(base.VolumeDriver):
    """An iSCSI LUN as a libvirt network disk, with optional CHAP."""

    source_type = "network"

    def source(self, owner, disk):
        if not disk.iqn or "/" in disk.iqn or " " in disk.iqn:
            raise exception.InvalidInput(
                reason=f"invalid iSCSI target IQN {disk.iqn!r}")
        if disk.lun < 0:
            raise exception.InvalidInput(reason="iSCSI LUN must be >= 0")
        result = {
            "source_protocol": "iscsi",
            "source_name": f"{disk.iqn}/{disk.lun}",
            "source_hosts": [parse_portal(disk.portal)],
            "driver_cache": "none",
        }
        if disk.auth_username:
            if not disk.auth_secret:
                raise exception.InvalidInput(
                    reason="iSCSI CHAP user without a secret")
            usage = secret_usage(owner, disk.serial)
            self.host.set_secret("iscsi", usage, disk.auth_secret)
            result.update(auth_username=disk.auth_username,
                          auth_secret_usage=usage)
        return result

    def disconnect(self, owner, serial):
        self.host.delete_secret("iscsi", secret_usage(owner, serial))
