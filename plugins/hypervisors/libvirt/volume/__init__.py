"""Disk-attach protocols: one small class per way a guest reaches a disk.

Each class turns a :class:`~nimbus.core.interfaces.hypervisor.DiskSpec`
into a :class:`~nimbus.plugins.hypervisors.libvirt.config.DiskConfig`
(``connect``) and releases what it set up (``disconnect``).
"""

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt.volume import base, iscsi, local

PROTOCOLS = {
    "file": local.FileVolume,
    "block": local.BlockVolume,
    "iscsi": iscsi.ISCSIVolume,
}


def for_protocol(protocol, host):
    """Return the volume driver for ``protocol`` bound to ``host``.

    :raises InvalidInput: no driver handles ``protocol``.
    """
    cls = PROTOCOLS.get(protocol)
    if cls is None:
        raise exception.InvalidInput(
            reason=f"disk protocol {protocol!r} is not supported; "
                   f"supported: {', '.join(sorted(PROTOCOLS))}")
    return cls(host)


__all__ = ["PROTOCOLS", "base", "for_protocol"]
