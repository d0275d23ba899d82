"""Server diagnostics of a libvirt guest: its live domain XML names the
disks and NICs, and libvirt's counters fill them in (``info``,
``vcpus``, ``memoryStats``, ``interfaceStats``, ``blockStats``). The
free-form values carry Nova's libvirt keys (``cpu0_time``, ``memory``,
``vda_read``, ``tap..._rx``, ``memory-actual``).

A counter libvirt cannot give (a hypervisor without the call, a device
gone between the XML and the call) leaves its entry with None values,
as the contract asks; only a guest that is gone is an error.
"""

import xml.etree.ElementTree as ET

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv

# (free-form suffix, NicDiagnostics field), in interfaceStats' order.
_NIC = (("rx", "rx_octets"), ("rx_packets", "rx_packets"),
        ("rx_errors", "rx_errors"), ("rx_drop", "rx_drop"),
        ("tx", "tx_octets"), ("tx_packets", "tx_packets"),
        ("tx_errors", "tx_errors"), ("tx_drop", "tx_drop"))
# (free-form suffix, DiskDiagnostics field), in blockStats' order.
_DISK = (("read_req", "read_requests"), ("read", "read_bytes"),
         ("write_req", "write_requests"), ("write", "write_bytes"),
         ("errors", "errors_count"))


def _counters(read, dev, names):
    """``[(name, value)]`` of ``read(dev)``, empty when libvirt cannot
    give it."""
    if dev is None:
        return []
    try:
        return list(zip(names, read(dev), strict=True))
    except exception.HypervisorInstanceNotFound:
        raise
    except exception.HypervisorError:
        return []


def devices(domain_xml):
    """Return ``(disk targets, [(mac, tap or None)])`` of the domain."""
    root = ET.fromstring(domain_xml)
    disks = [target.get("dev") for target in
             root.findall("./devices/disk[@device='disk']/target")
             if target.get("dev")]
    nics = []
    for iface in root.findall("./devices/interface"):
        mac = iface.find("mac")
        target = iface.find("target")
        nics.append((None if mac is None else mac.get("address"),
                     None if target is None else target.get("dev")))
    return disks, nics


def of_guest(guest, virt_type):
    """The :class:`~nimbus.core.interfaces.guest.GuestDiagnostics` of
    ``guest`` (a :class:`.guest.Guest`) on a ``virt_type`` host."""
    state = guest.state()
    max_kib, mem_kib = guest.memory_kib()
    free = {"memory": max_kib}
    cpus = []
    try:
        for number, cpu_time in guest.vcpu_times():
            cpus.append(hv.CpuDiagnostics(id=number, time=cpu_time))
            free[f"cpu{number}_time"] = cpu_time
    except exception.HypervisorInstanceNotFound:
        raise
    except exception.HypervisorError:
        pass
    disk_devs, nic_devs = devices(guest.xml())
    disks = []
    for dev in disk_devs:
        disk = hv.DiskDiagnostics(device=dev)
        for (suffix, field), value in _counters(guest.block_stats, dev,
                                                _DISK):
            setattr(disk, field, value)
            free[f"{dev}_{suffix}"] = value
        disks.append(disk)
    nics = []
    for mac, dev in nic_devs:
        nic = hv.NicDiagnostics(mac_address=mac, device=dev)
        for (suffix, field), value in _counters(guest.interface_stats,
                                                dev, _NIC):
            setattr(nic, field, value)
            free[f"{dev}_{suffix}"] = value
        nics.append(nic)
    try:
        balloon = guest.memory_stats()
    except exception.HypervisorInstanceNotFound:
        raise
    except exception.HypervisorError:
        balloon = {}
    free.update({f"memory-{key}": value for key, value in balloon.items()})
    return hv.GuestDiagnostics(
        power_state=state, driver="libvirt", hypervisor=virt_type,
        hypervisor_os="linux", memory_max_mb=max_kib // 1024,
        memory_used_mb=mem_kib // 1024, cpus=cpus, nics=nics, disks=disks,
        free_form=free)
