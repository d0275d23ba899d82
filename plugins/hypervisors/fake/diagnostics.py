"""Diagnostics of a fake guest, made from its record: one vCPU entry
per vCPU, its memory, one NIC per VIF and one disk per disk (the local
root disk first), all with zero counters (a fake guest does no work),
and the free-form values under libvirt's keys."""

import string

from nimbus.core.interfaces import hypervisor as hv

_NIC_COUNTERS = ("rx_octets", "rx_packets", "rx_errors", "rx_drop",
                 "tx_octets", "tx_packets", "tx_errors", "tx_drop")
# free-form suffix -> NicDiagnostics field, in libvirt's order.
_NIC_KEYS = dict(zip(("rx", "rx_packets", "rx_errors", "rx_drop", "tx",
                      "tx_packets", "tx_errors", "tx_drop"),
                     _NIC_COUNTERS, strict=True))
_DISK_KEYS = {"read_req": "read_requests", "read": "read_bytes",
              "write_req": "write_requests", "write": "write_bytes",
              "errors": "errors_count"}


def of_guest(record):
    """The :class:`~nimbus.core.interfaces.guest.GuestDiagnostics` of
    one fake guest record."""
    cpus = [hv.CpuDiagnostics(id=i, time=0)
            for i in range(record["vcpus"])]
    nics = [hv.NicDiagnostics(mac_address=vif["mac"],
                              device=hv.vif_device_name(vif_id),
                              **dict.fromkeys(_NIC_COUNTERS, 0))
            for vif_id, vif in record["vifs"].items()]
    count = len(record["disks"]) + (1 if record.get("root_gb") else 0)
    disks = [hv.DiskDiagnostics(
        device="vd" + string.ascii_lowercase[i], read_bytes=0,
        read_requests=0, write_bytes=0, write_requests=0, errors_count=0)
        for i in range(min(count, 26))]
    free = {f"cpu{c.id}_time": c.time for c in cpus}
    free["memory"] = record["memory_mb"] * 1024
    for nic in nics:
        free.update({f"{nic.device}_{key}": getattr(nic, field)
                     for key, field in _NIC_KEYS.items()})
    for disk in disks:
        free.update({f"{disk.device}_{key}": getattr(disk, field)
                     for key, field in _DISK_KEYS.items()})
    return hv.GuestDiagnostics(
        power_state=record["power_state"], driver="fake",
        hypervisor="fake", hypervisor_os="fake",
        memory_max_mb=record["memory_mb"],
        memory_used_mb=record["memory_mb"], cpus=cpus, nics=nics,
        disks=disks, free_form=free)
