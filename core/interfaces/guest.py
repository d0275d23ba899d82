"""The values of the hypervisor contract
(:mod:`nimbus.core.interfaces.hypervisor`, which re-exports them): what
a plugin is asked to build (:class:`GuestSpec`, with its
:class:`ImageSpec`, :class:`VifSpec` and :class:`DiskSpec` parts) and what
it reports (:class:`GuestInfo`, :class:`HostResources`,
:class:`LifecycleEvent`). Plain dataclasses: plugins read them and never
keep references into nimbus's own objects."""

import dataclasses


@dataclasses.dataclass
class ImageSpec:
    """The image a guest boots from, as the image plugin describes it."""

    id: str
    disk_format: str = "raw"
    container_format: str = "bare"
    #: a local path to the image data, when the image store is a directory.
    path: str | None = None
    #: Glance-style properties (``architecture``, ``hypervisor_type``, ...).
    properties: dict = dataclasses.field(default_factory=dict)
    #: for direct kernel boot: the kernel and ramdisk images.
    kernel: "ImageSpec | None" = None
    ramdisk: "ImageSpec | None" = None


@dataclasses.dataclass
class VifSpec:
    """One virtual network interface to give the guest."""

    id: str
    mac: str
    bridge: str | None = None
    vlan: int | None = None
    #: "ovs" or "bridge"; plugins may support only some.
    kind: str = "bridge"
    mtu: int | None = None

    @property
    def device_name(self):
        """The host device (tap) of this VIF: ``tap`` + the first 11
        characters of its id. Hypervisor plugins name the device so, and
        network plugins find a port's traffic by it (security groups)."""
        return vif_device_name(self.id)


def vif_device_name(vif_id):
    """The host device name of the VIF ``vif_id`` (see
    :attr:`VifSpec.device_name`)."""
    return "tap" + vif_id[:11]


@dataclasses.dataclass
class DiskSpec:
    """One disk to attach; ``protocol`` picks how the guest reaches it."""

    #: identifies the disk inside the guest (``/sys/block/vdX/serial``).
    serial: str
    #: "file", "block" or "iscsi".
    protocol: str = "file"
    path: str | None = None
    #: for iSCSI: portal "host:port", target IQN, LUN and optional CHAP.
    portal: str | None = None
    iqn: str | None = None
    lun: int = 0
    auth_username: str | None = None
    auth_secret: str | None = None
    disk_format: str = "raw"
    read_only: bool = False
    #: other guests use the disk at the same time (a multiattach volume;
    #: only for plugins declaring ``supports_multiattach``): no host
    #: cache, no exclusive lock.
    shareable: bool = False
    #: a hint only: the guest may name the device differently.
    device_name: str | None = None
    #: 0 for the guest's root disk (a volume-backed guest): the plugin
    #: makes it the first disk (``vda``) and makes no local root disk;
    #: None for any other disk.
    boot_index: int | None = None


@dataclasses.dataclass
class GuestSpec:
    """Everything a plugin needs to create one guest (the "task object")."""

    uuid: str
    name: str
    vcpus: int
    memory_mb: int
    root_gb: int = 0
    ephemeral_gb: int = 0
    swap_mb: int = 0
    image: ImageSpec | None = None
    vifs: list = dataclasses.field(default_factory=list)
    disks: list = dataclasses.field(default_factory=list)
    user_data: str | None = None
    key_data: str | None = None
    metadata: dict = dataclasses.field(default_factory=dict)
    #: extra specs of the flavor (``hw:*`` and the like).
    extra_specs: dict = dataclasses.field(default_factory=dict)

    @property
    def root_volume(self):
        """The :class:`DiskSpec` with boot index 0 (the root disk of a
        volume-backed guest), or None. Then ``image``, if set, only
        describes the guest (properties, kernel and ramdisk for direct
        kernel boot): plugins make no disk from it."""
        for disk in self.disks:
            if disk.boot_index == 0:
                return disk
        return None


@dataclasses.dataclass
class GuestInfo:
    """The hypervisor's view of one guest."""

    uuid: str
    power_state: int
    vcpus: int = 0
    memory_mb: int = 0
    cpu_time_ns: int = 0


@dataclasses.dataclass
class HostResources:
    """Inventory a compute host offers, reported to the scheduler."""

    hypervisor_hostname: str
    hypervisor_type: str
    hypervisor_version: int
    vcpus: int
    memory_mb: int
    local_gb: int
    cpu_info: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class LifecycleEvent:
    """A guest changed power state behind (or in front of) nimbus's back."""

    uuid: str
    #: one of the ``power_state`` constants: the guest's state now.
    power_state: int


@dataclasses.dataclass
class CpuDiagnostics:
    """One vCPU of a running guest (:class:`GuestDiagnostics`)."""

    id: int
    #: CPU time the vCPU has used, in nanoseconds (None: unknown).
    time: int | None = None
    #: percent of a host CPU the vCPU uses now (None: not measured).
    utilisation: int | None = None


@dataclasses.dataclass
class NicDiagnostics:
    """One virtual NIC of a running guest; counters are totals since the
    guest started (None: the hypervisor keeps no such counter)."""

    mac_address: str | None = None
    #: the host device of the NIC (a tap), the key of the free-form
    #: diagnostics; None when the NIC has none.
    device: str | None = None
    rx_octets: int | None = None
    rx_errors: int | None = None
    rx_drop: int | None = None
    rx_packets: int | None = None
    rx_rate: int | None = None
    tx_octets: int | None = None
    tx_errors: int | None = None
    tx_drop: int | None = None
    tx_packets: int | None = None
    tx_rate: int | None = None


@dataclasses.dataclass
class DiskDiagnostics:
    """One disk of a running guest; counters are totals since the guest
    started (``errors_count`` -1: the hypervisor does not count errors)."""

    #: the disk's target in the guest (``vda``), the key of the
    #: free-form diagnostics.
    device: str | None = None
    read_bytes: int | None = None
    read_requests: int | None = None
    write_bytes: int | None = None
    write_requests: int | None = None
    errors_count: int | None = None


@dataclasses.dataclass
class GuestDiagnostics:
    """What :meth:`Hypervisor.get_diagnostics` reports of a running guest:
    the standard values (the Compute API's 2.48 format) and the plugin's
    own free-form ``dict`` (the format before 2.48)."""

    #: one of the ``power_state`` constants.
    power_state: int
    #: the plugin's kind ("libvirt", "fake").
    driver: str
    #: the hypervisor under the plugin ("kvm", "qemu"), None if unknown.
    hypervisor: str | None = None
    #: the host's operating system family ("linux"), None if unknown.
    hypervisor_os: str | None = None
    #: the most memory the guest may have, in MiB.
    memory_max_mb: int | None = None
    #: the memory the guest has now, in MiB.
    memory_used_mb: int | None = None
    cpus: list = dataclasses.field(default_factory=list)
    nics: list = dataclasses.field(default_factory=list)
    disks: list = dataclasses.field(default_factory=list)
    #: the plugin's own keys and values (numbers or strings only), e.g.
    #: libvirt's ``cpu0_time``, ``memory``, ``vda_read``.
    free_form: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        """A JSON-serialisable ``dict`` (for RPC)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        for key, part in (("cpus", CpuDiagnostics), ("nics", NicDiagnostics),
                          ("disks", DiskDiagnostics)):
            data[key] = [part(**item) for item in data.get(key, ())]
        return cls(**data)
