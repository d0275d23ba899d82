"""From a nimbus :class:`GuestSpec` to a :class:`GuestConfig`, and host
facts from libvirt's capabilities XML. Pure functions: no libvirt, no
files."""

import dataclasses
import os
import xml.etree.ElementTree as ET

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt import config

ROOT_SERIAL = "nimbus-root"
EPHEMERAL_SERIAL = "nimbus-eph0"
SWAP_SERIAL = "nimbus-swap"


@dataclasses.dataclass(frozen=True)
class InstancePaths:
    """Where one guest's files live: all under one directory, so removing
    the directory removes the guest from the host's disk."""

    root: str
    uuid: str

    @property
    def dir(self):
        return os.path.join(self.root, self.uuid)

    @property
    def disk(self):
        return os.path.join(self.dir, "disk")

    @property
    def ephemeral(self):
        return os.path.join(self.dir, "disk.eph0")

    @property
    def swap(self):
        return os.path.join(self.dir, "disk.swap")

    @property
    def console(self):
        return os.path.join(self.dir, "console.log")


def domain_name(prefix, uuid):
    return f"{prefix}{uuid}"


def kernel_cmdline(conf, image, has_root_disk):
    """Return the direct-boot kernel command line for ``image``."""
    parts = [conf.libvirt.kernel_cmdline]
    if has_root_disk:
        parts.append("root=/dev/vda" if conf.libvirt.virt_type != "xen"
                     else "root=/dev/xvda")
    extra = (image.properties or {}).get("os_command_line")
    if extra:
        parts.append(str(extra))
    return " ".join(p for p in parts if p)


def interface_config(vif, virt_type, ovs_checksum_offload=False):
    """Return the :class:`InterfaceConfig` of one :class:`VifSpec`: on
    its bridge (OVS: a ``virtualport`` with the VIF id as interface id,
    and the VLAN tag), tap named :attr:`VifSpec.device_name`."""
    if vif.kind not in ("bridge", "ovs"):
        raise exception.InvalidInput(
            reason=f"VIF kind {vif.kind!r} is not supported")
    if not vif.bridge:
        raise exception.InvalidInput(reason=f"VIF {vif.id} has no bridge")
    return config.InterfaceConfig(
        mac=vif.mac, bridge=vif.bridge, kind=vif.kind,
        interface_id=vif.id if vif.kind == "ovs" else None,
        vlan=vif.vlan, mtu=vif.mtu, target_dev=vif.device_name,
        model=None if virt_type == "xen" else "virtio",
        checksum_offload=vif.kind != "ovs" or ovs_checksum_offload)


def interface_configs(vifs, virt_type, ovs_checksum_offload=False):
    """Return one :class:`InterfaceConfig` per :class:`VifSpec`."""
    return [interface_config(vif, virt_type, ovs_checksum_offload)
            for vif in vifs]


def local_disk(virt_type, index, path, fmt, serial, cache=None):
    bus, prefix = config.disk_bus(virt_type)
    return config.DiskConfig(
        source_type="file", target_dev=config.device_name(prefix, index),
        target_bus=bus, serial=serial, driver_format=fmt,
        driver_cache=cache, source_path=path)


def cpu_mode(conf):
    mode = conf.libvirt.cpu_mode
    if mode is None:
        return "host-model" if conf.libvirt.virt_type == "kvm" else None
    return mode


def guest_config(conf, spec, paths, disks, kernel=None, initrd=None,
                 has_root=None):
    """Return the :class:`GuestConfig` of ``spec``.

    :param disks: the guest's :class:`DiskConfig` objects, root first.
    :param kernel: path of the kernel for direct kernel boot, if any.
    :param has_root: whether the first disk is the root disk (default:
        whether it is the local root disk); True for a volume-backed
        guest.
    """
    virt_type = conf.libvirt.virt_type
    if has_root is None:
        has_root = bool(disks) and disks[0].serial == ROOT_SERIAL
    return config.GuestConfig(
        virt_type=virt_type, uuid=spec.uuid,
        name=domain_name(conf.libvirt.domain_name_prefix, spec.uuid),
        instance_name=spec.name, memory_mb=spec.memory_mb,
        vcpus=spec.vcpus,
        machine=conf.libvirt.machine_type if virt_type != "xen" else None,
        os_loader=(conf.libvirt.xen_hvmloader_path
                   if virt_type == "xen" else None),
        kernel=kernel, initrd=initrd,
        cmdline=(kernel_cmdline(conf, spec.image, has_root)
                 if kernel else None),
        cpu_mode=cpu_mode(conf), disks=list(disks),
        interfaces=interface_configs(
            spec.vifs, virt_type, conf.libvirt.ovs_checksum_offload),
        serial=config.SerialFileConfig(paths.console),
        graphics=(config.VncGraphicsConfig(conf.libvirt.vnc_listen)
                  if conf.libvirt.vnc_enabled else None))


def cpu_info(capabilities_xml):
    """Return ``{"arch", "model", "vendor", "topology"}`` of the host CPU
    from libvirt's capabilities XML."""
    cpu = ET.fromstring(capabilities_xml).find("./host/cpu")
    if cpu is None:
        return {}
    topo = cpu.find("topology")
    topology = {}
    if topo is not None:
        topology = {k: int(topo.get(k, 0))
                    for k in ("sockets", "cores", "threads")}
    return {"arch": cpu.findtext("arch"), "model": cpu.findtext("model"),
            "vendor": cpu.findtext("vendor"), "topology": topology}


def domain_types(capabilities_xml):
    """Return the domain types (``qemu``, ``kvm``, ``xen``, ...) the host
    can run, from libvirt's capabilities XML."""
    caps = ET.fromstring(capabilities_xml)
    return {d.get("type") for d in caps.findall("./guest/arch/domain")}
