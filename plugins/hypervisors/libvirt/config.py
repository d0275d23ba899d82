"""Typed libvirt domain configuration rendered with ElementTree.

Each dataclass renders one part of the domain XML through
:meth:`to_xml`, returning an :class:`xml.etree.ElementTree.Element`;
:meth:`GuestConfig.to_string` gives the document libvirt defines. No
string templates: every value goes through ElementTree's escaping.
"""

import dataclasses
import xml.etree.ElementTree as ET

#: namespace of the ``<metadata>`` element nimbus writes into domains.
NIMBUS_NS = "http://nimbus.invalid/xmlns/libvirt/instance/1.0"
ET.register_namespace("nimbus", NIMBUS_NS)


def _sub(parent, tag, text=None, **attrs):
    """Append a child element; ``None`` attribute values are left out."""
    elem = ET.SubElement(parent, tag, {
        k.rstrip("_"): str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        elem.text = str(text)
    return elem


@dataclasses.dataclass
class DiskConfig:
    """One ``<disk>``: a local file, a host block device or a network
    (iSCSI) disk; ``serial`` names it inside the guest."""

    source_type: str  # "file", "block" or "network"
    target_dev: str
    target_bus: str = "virtio"
    serial: str | None = None
    device: str = "disk"
    driver_name: str = "qemu"
    driver_format: str = "raw"
    driver_cache: str | None = None
    source_path: str | None = None
    source_protocol: str | None = None
    source_name: str | None = None
    source_hosts: list = dataclasses.field(default_factory=list)
    auth_username: str | None = None
    auth_secret_usage: str | None = None
    read_only: bool = False
    #: other guests use the disk at the same time (a multiattach volume).
    shareable: bool = False
    #: the disk's place in the boot order (``<boot order>``; then the
    #: domain's ``<os>`` has no ``<boot dev>``), None for none.
    boot_order: int | None = None

    def to_xml(self):
        disk = ET.Element("disk", type=self.source_type, device=self.device)
        _sub(disk, "driver", name=self.driver_name, type_=self.driver_format,
             cache=self.driver_cache)
        if self.auth_username:
            auth = _sub(disk, "auth", username=self.auth_username)
            _sub(auth, "secret", type_=self.source_protocol,
                 usage=self.auth_secret_usage)
        self._source(disk)
        _sub(disk, "target", dev=self.target_dev, bus=self.target_bus)
        if self.read_only:
            _sub(disk, "readonly")
        if self.shareable:
            _sub(disk, "shareable")
        if self.serial:
            _sub(disk, "serial", self.serial)
        if self.boot_order is not None:
            _sub(disk, "boot", order=self.boot_order)
        return disk

    def _source(self, disk):
        if self.source_type == "file":
            _sub(disk, "source", file=self.source_path)
        elif self.source_type == "block":
            _sub(disk, "source", dev=self.source_path)
        elif self.source_type == "network":
            source = _sub(disk, "source", protocol=self.source_protocol,
                          name=self.source_name)
            for host, port in self.source_hosts:
                _sub(source, "host", name=host, port=port)
        else:
            raise ValueError(f"unknown disk source type {self.source_type}")


@dataclasses.dataclass
class InterfaceConfig:
    """One ``<interface>`` on a Linux bridge or an Open vSwitch bridge
    (``virtualport`` + optional VLAN tag)."""

    mac: str
    bridge: str
    kind: str = "bridge"  # "bridge" or "ovs"
    interface_id: str | None = None
    vlan: int | None = None
    model: str | None = "virtio"
    mtu: int | None = None
    #: the host tap's name (network plugins find the port's traffic by it).
    target_dev: str | None = None
    #: False: the virtio device offers the guest no checksum offload, so
    #: the guest fills in every checksum itself (needed where the switch
    #: hands packets on as they are: Open vSwitch's userspace datapath).
    checksum_offload: bool = True

    def to_xml(self):
        iface = ET.Element("interface", type="bridge")
        _sub(iface, "mac", address=self.mac)
        _sub(iface, "source", bridge=self.bridge)
        if self.kind == "ovs":
            port = _sub(iface, "virtualport", type_="openvswitch")
            _sub(port, "parameters", interfaceid=self.interface_id)
        if self.vlan is not None:
            _sub(_sub(iface, "vlan"), "tag", id_=self.vlan)
        if self.target_dev:
            _sub(iface, "target", dev=self.target_dev)
        if self.model:
            _sub(iface, "model", type_=self.model)
            if self.model == "virtio" and not self.checksum_offload:
                driver = _sub(iface, "driver")
                _sub(driver, "host", csum="off")
        if self.mtu:
            _sub(iface, "mtu", size=self.mtu)
        return iface


@dataclasses.dataclass
class SerialFileConfig:
    """Serial port 0 written to a file: the guest's console log."""

    path: str
    append: bool = True

    def to_xml(self):
        serial = ET.Element("serial", type="file")
        _sub(serial, "source", path=self.path,
             append="on" if self.append else None)
        _sub(serial, "target", port=0)
        return serial


@dataclasses.dataclass
class VncGraphicsConfig:
    """A VNC server on the host for the guest's screen, on a port libvirt
    picks (``autoport``), listening on ``listen`` only."""

    listen: str = "127.0.0.1"

    def to_xml(self):
        graphics = ET.Element("graphics", type="vnc", autoport="yes",
                              listen=self.listen)
        _sub(graphics, "listen", type="address", address=self.listen)
        return graphics


@dataclasses.dataclass
class GuestConfig:
    """A whole ``<domain>`` for kvm, qemu or xen (HVM)."""

    virt_type: str
    uuid: str
    name: str
    memory_mb: int
    vcpus: int
    instance_name: str | None = None
    arch: str = "x86_64"
    machine: str | None = None
    os_loader: str | None = None
    kernel: str | None = None
    initrd: str | None = None
    cmdline: str | None = None
    cpu_mode: str | None = None
    disks: list = dataclasses.field(default_factory=list)
    interfaces: list = dataclasses.field(default_factory=list)
    serial: SerialFileConfig | None = None
    graphics: VncGraphicsConfig | None = None

    def to_xml(self):
        domain = ET.Element("domain", type=self.virt_type)
        _sub(domain, "name", self.name)
        _sub(domain, "uuid", self.uuid)
        self._metadata(domain)
        _sub(domain, "memory", self.memory_mb, unit="MiB")
        _sub(domain, "vcpu", self.vcpus)
        self._os(domain)
        features = _sub(domain, "features")
        for feature in self._features():
            _sub(features, feature)
        if self.cpu_mode and self.cpu_mode != "none":
            _sub(domain, "cpu", mode=self.cpu_mode)
        _sub(domain, "clock", offset="utc")
        _sub(domain, "on_poweroff", "destroy")
        _sub(domain, "on_reboot", "restart")
        _sub(domain, "on_crash", "destroy")
        self._devices(domain)
        return domain

    def to_string(self):
        return ET.tostring(self.to_xml(), encoding="unicode")

    def _features(self):
        # ACPI is what makes PCI hot-plug and the power button work.
        if self.virt_type == "xen":
            return ("acpi", "apic", "pae")
        return ("acpi", "apic")

    def _metadata(self, domain):
        meta = _sub(domain, "metadata")
        inst = _sub(meta, f"{{{NIMBUS_NS}}}instance")
        _sub(inst, f"{{{NIMBUS_NS}}}uuid", self.uuid)
        if self.instance_name:
            _sub(inst, f"{{{NIMBUS_NS}}}name", self.instance_name)

    def _os(self, domain):
        os_elem = _sub(domain, "os")
        machine = self.machine
        if self.virt_type == "xen":
            machine = "xenfv"
        _sub(os_elem, "type", "hvm", arch=self.arch, machine=machine)
        if self.os_loader:
            _sub(os_elem, "loader", self.os_loader)
        if self.kernel:
            _sub(os_elem, "kernel", self.kernel)
            if self.initrd:
                _sub(os_elem, "initrd", self.initrd)
            if self.cmdline:
                _sub(os_elem, "cmdline", self.cmdline)
        else:
            _sub(os_elem, "boot", dev="hd")

    def _devices(self, domain):
        devices = _sub(domain, "devices")
        for disk in self.disks:
            devices.append(disk.to_xml())
        for iface in self.interfaces:
            devices.append(iface.to_xml())
        if self.serial:
            devices.append(self.serial.to_xml())
        if self.graphics:
            devices.append(self.graphics.to_xml())
        if self.virt_type in ("kvm", "qemu"):
            _sub(devices, "memballoon", model="virtio")


def disk_bus(virt_type):
    """Return the disk bus and device-name prefix for ``virt_type``."""
    if virt_type == "xen":
        return "xen", "xvd"
    return "virtio", "vd"


def device_name(prefix, index):
    """Return the ``index``-th device name: vda, vdb, ... vdz, vdaa."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return prefix + letters


def next_device_name(domain_xml, prefix):
    """Return the first ``prefix``-device name unused in ``domain_xml``.

    Only a hint to libvirt: guests name disks in their own order, which is
    why nimbus matches disks by serial.
    """
    used = {t.get("dev") for t in
            ET.fromstring(domain_xml).findall("./devices/disk/target")}
    index = 0
    while device_name(prefix, index) in used:
        index += 1
    return device_name(prefix, index)


def find_disk(domain_xml, serial):
    """Return the ``<disk>`` element with ``serial`` in ``domain_xml`` as
    a string, or None."""
    for disk in ET.fromstring(domain_xml).findall("./devices/disk"):
        if disk.findtext("serial") == serial:
            return ET.tostring(disk, encoding="unicode")
    return None


def interface_macs(domain_xml):
    """Return the MAC addresses of the interfaces in ``domain_xml``."""
    return [m.get("address", "").lower() for m in
            ET.fromstring(domain_xml).findall("./devices/interface/mac")]


def vnc_port(domain_xml):
    """The port of the running domain's VNC server, or None (no VNC
    graphics, or the domain is not running: libvirt shows ``-1``)."""
    for graphics in ET.fromstring(domain_xml).findall(
            "./devices/graphics[@type='vnc']"):
        port = int(graphics.get("port", "-1"))
        if port > 0:
            return port
    return None


def disk_target(domain_xml, serial):
    """The target device (``vdb``) of the disk with ``serial`` in
    ``domain_xml``, or None."""
    for disk in ET.fromstring(domain_xml).findall("./devices/disk"):
        if disk.findtext("serial") == serial:
            target = disk.find("target")
            return None if target is None else target.get("dev")
    return None


def disk_serials(domain_xml):
    """Return the serials of the disks in ``domain_xml``."""
    return [d.findtext("serial")
            for d in ET.fromstring(domain_xml).findall("./devices/disk")
            if d.findtext("serial")]


def disk_sources(domain_xml):
    """Return the local file paths of the disks in ``domain_xml``."""
    return [s.get("file") for s in
            ET.fromstring(domain_xml).findall("./devices/disk/source")
            if s.get("file")]


def secret_xml(usage_type, usage):
    """Return the XML of a private libvirt secret used by ``usage``."""
    secret = ET.Element("secret", ephemeral="no", private="yes")
    _sub(secret, "description", f"nimbus {usage_type} secret {usage}")
    usage_elem = _sub(secret, "usage", type_=usage_type)
    _sub(usage_elem, "target", usage)
    return ET.tostring(secret, encoding="unicode")
