"""[libvirt] options of the libvirt hypervisor plugin."""

from oslo_config import cfg

group = cfg.OptGroup("libvirt", title="Libvirt hypervisor options")

VIRT_TYPES = ("kvm", "qemu", "xen", "lxc")

opts = [
    cfg.StrOpt("virt_type", default="kvm", choices=VIRT_TYPES,
               help="""
Libvirt domain type to create. ``qemu`` is software emulation (TCG) and
works where KVM does not (for example in nested test VMs).
"""),
    cfg.StrOpt("connection_uri", default="",
               help="""
Libvirt URI to connect to. Empty: derived from ``virt_type``
(``qemu:///system`` for kvm and qemu, ``xen:///system`` for xen,
``lxc:///system`` for lxc).
"""),
    cfg.StrOpt("instances_path", default="$state_path/instances",
               help="""
Directory holding one subdirectory per guest (disks, console log) and
``_base`` with the cached base images. Must be reachable by the user
QEMU runs as.
"""),
    cfg.StrOpt("images_type", default="qcow2", choices=("qcow2", "raw"),
               help="""
Format of guests' root disks: ``qcow2`` overlays on a shared cached base
image (fast, thin) or ``raw`` full copies.
"""),
    cfg.StrOpt("domain_name_prefix", default="nimbus-",
               help="""
Prefix of libvirt domain names (``<prefix><instance uuid>``). Only
domains with this prefix are managed, so other domains on the host are
left alone.
"""),
    cfg.StrOpt("machine_type", default="pc",
               help="QEMU machine type for kvm and qemu guests."),
    cfg.StrOpt("cpu_mode", default=None,
               choices=("none", "host-model", "host-passthrough"),
               help="""
Guest CPU mode. Unset: ``host-model`` for kvm, no CPU element otherwise.
"""),
    cfg.StrOpt("disk_cachemode", default=None,
               choices=("none", "writethrough", "writeback", "directsync",
                        "unsafe"),
               help="Cache mode of local disks; unset: libvirt's default."),
    cfg.StrOpt("kernel_cmdline", default="console=ttyS0",
               help="""
Kernel command line for direct kernel boot. An image's
``os_command_line`` property is appended; ``root=/dev/vda`` is added when
the guest has a root disk.
"""),
    cfg.StrOpt("xen_hvmloader_path", default="/usr/lib/xen/boot/hvmloader",
               help="Path of Xen's HVM firmware loader."),
    cfg.IntOpt("soft_reboot_timeout", default=120, min=0,
               help="""
Seconds a soft reboot waits for the guest to shut down after the ACPI
power button before it resets the guest (hard reboot).
"""),
    cfg.IntOpt("console_log_max_bytes", default=102400, min=1,
               help="""
Most bytes ``get_console_output`` returns (the tail of the serial log).
"""),
    cfg.BoolOpt("vnc_enabled", default=True,
                help="""
Give guests a VNC server (graphics on a port libvirt picks) that
nimbus's console proxy reaches, for remote consoles (noVNC). Off: the
host declares no ``vnc_console`` capability and the API refuses
consoles of its guests (409).
"""),
    cfg.HostAddressOpt("vnc_listen", default="127.0.0.1",
                       help="""
Address guests' VNC servers listen on. Keep it on loopback unless the
console proxy runs on another host, and then only on a network users
cannot reach: VNC here has no password (the proxy's token is the lock).
"""),
    cfg.HostAddressOpt("vnc_proxyclient_address",
                       help="""
Address the console proxy connects to for this host's guests' VNC
servers (unset: ``vnc_listen``). Set it when ``vnc_listen`` is a
wildcard or the proxy reaches this host by another name.
"""),
    cfg.BoolOpt("ovs_checksum_offload", default=False,
                help="""
Offer checksum offload to guests on Open vSwitch ports. Open vSwitch's
userspace (``netdev``) datapath forwards packets with the checksums the
guest left unfilled, and receivers drop them; keep this off unless every
bridge uses the kernel datapath.
"""),
    cfg.StrOpt("live_migration_inbound_uri", default="",
               help="""
The libvirt URI other hosts' libvirtd use to reach this host's for a
live migration (peer to peer), e.g. ``qemu+tcp://host-b/system``. Empty:
this host takes no live migrations (the pre-check refuses them).
"""),
    cfg.StrOpt("live_migration_inbound_addr", default="",
               help="""
The address this host receives live-migration traffic on (QEMU's
migration stream and, for a block migration, the NBD disk copy).
"""),
    cfg.IntOpt("detach_timeout", default=20, min=1,
               help="""
Seconds to wait for the guest to release a hot-unplugged disk or
network interface.
"""),
]


def register_opts(conf):
    # A fresh OptGroup per ConfigOpts: oslo.config copies groups shallowly,
    # so sharing the module's object would share overrides between confs.
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]


def connection_uri(conf):
    """Return the libvirt URI for ``conf`` (explicit or from virt_type)."""
    if conf.libvirt.connection_uri:
        return conf.libvirt.connection_uri
    scheme = {"kvm": "qemu", "qemu": "qemu"}.get(
        conf.libvirt.virt_type, conf.libvirt.virt_type)
    return f"{scheme}:///system"
