"""The hypervisor contract: what a compute host needs from a virt plugin.

A hypervisor plugin is a class registered in the ``nimbus.hypervisors``
entry-point group that subclasses :class:`Hypervisor`. The compute manager
creates one instance per compute host it runs and calls it from several
threads at once, though never twice at once for the same guest (the manager
holds a per-instance lock). Plugins import only ``nimbus.core`` and
themselves.

General rules, for every method unless it says otherwise:

* Guests are named by the instance UUID (``str``). A plugin MUST be able to
  find its guests again after the compute service restarts (guests keep
  running when nimbus-compute does not).
* A method that finds no guest for a UUID raises
  :class:`~nimbus.core.exception.HypervisorInstanceNotFound`.
* Failures raise :class:`~nimbus.core.exception.HypervisorError` (or a
  subclass); plugins translate their library's errors at this boundary.
* Methods block until the operation is done on the hypervisor.
* Capabilities are class data (:class:`Capabilities`), or set per
  instance in ``__init__`` at the latest. The compute service reports them
  with the host's inventory and the compute API refuses (409) an action
  whose capability the host's plugin does not declare, before recording
  or casting anything; nothing probes by catching ``NotImplementedError``.
"""

import abc
import dataclasses

from nimbus.core import exception

INTERFACE_VERSION = "1.0"

REBOOT_SOFT = "SOFT"
REBOOT_HARD = "HARD"


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """What a plugin can do, declared as data.

    Reported as ``dataclasses.asdict(capabilities)`` with the compute
    node's inventory; the compute API maps each action to the field it
    needs (pause/unpause -> ``pause``, suspend/resume -> ``suspend``, soft
    reboot -> ``soft_reboot``, console output -> ``console_log``).
    """

    #: ``reboot(..., REBOOT_SOFT)`` asks the guest to restart itself.
    soft_reboot: bool = True
    pause: bool = False
    suspend: bool = False
    console_log: bool = False
    #: ``attach_disk``/``detach_disk`` work on a running guest.
    disk_hotplug: bool = False
    #: images carrying ``kernel_id``/``ramdisk_id`` boot by direct kernel boot.
    direct_kernel_boot: bool = False
    #: lifecycle events are delivered to listeners (see
    #: :meth:`Hypervisor.register_event_listener`).
    lifecycle_events: bool = False


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
    #: a hint only: the guest may name the device differently.
    device_name: str | None = None


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


class Hypervisor(abc.ABC):
    """Base class of every hypervisor plugin.

    Subclasses set :attr:`capabilities` and :attr:`hypervisor_type` and
    implement every abstract method. Optional operations have defaults that
    raise :class:`~nimbus.core.exception.UnsupportedOperation` and are only
    called when the matching capability is declared.

    :param conf: the ``oslo_config.cfg.ConfigOpts`` to read options from;
        plugins register their own option group on it.
    :param host: the compute host name this instance serves.
    """

    capabilities = Capabilities()
    hypervisor_type = "unknown"

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host
        self._listeners = []

    # -- host ---------------------------------------------------------------

    @abc.abstractmethod
    def init_host(self):
        """Prepare the host: connect, check prerequisites.

        Called once when the compute service starts, before any other method
        but :meth:`register_event_listener`.

        :raises HypervisorError: the host cannot run guests; the service
            stops with this message.
        """

    def cleanup_host(self):
        """Release connections and threads; called on service stop.

        Guests MUST keep running. The default does nothing.
        """

    @abc.abstractmethod
    def get_available_resource(self):
        """Return the host's inventory.

        :returns: :class:`HostResources` with totals (not free amounts): the
            scheduler subtracts its own allocations.
        """

    # -- guests -------------------------------------------------------------

    @abc.abstractmethod
    def list_instances(self):
        """Return the UUIDs of every guest this plugin manages on the host,
        running or not.

        :returns: ``list[str]``.
        """

    @abc.abstractmethod
    def get_info(self, uuid):
        """Return the guest's current state.

        :returns: :class:`GuestInfo`.
        :raises HypervisorInstanceNotFound: no such guest.
        """

    def instance_exists(self, uuid):
        """Return whether a guest exists for ``uuid``."""
        return uuid in self.list_instances()

    @abc.abstractmethod
    def spawn(self, context, spec):
        """Create and start a guest from ``spec`` (:class:`GuestSpec`).

        Returns once the guest is running. On failure the plugin MUST remove
        everything it created for this guest (definition, disks, logs,
        directories) before raising, so a reschedule starts clean.

        :raises InstanceExists: a guest for ``spec.uuid`` already exists.
        :raises InsufficientResources: the host cannot fit the guest (the
            build is rescheduled to another host).
        :raises BuildAbort: the request cannot work on any host (for
            example, a corrupt image): no reschedule.
        :raises HypervisorError: any other failure (rescheduled).
        """

    @abc.abstractmethod
    def destroy(self, context, uuid):
        """Stop the guest at once and remove everything of it on the host.

        Idempotent: destroying a guest that does not exist succeeds. After it
        returns, no definition, disk, log or directory of the guest is left.
        """

    @abc.abstractmethod
    def reboot(self, uuid, reboot_type):
        """Restart the guest.

        :param reboot_type: :data:`REBOOT_SOFT` asks the guest to restart
            (falling back to hard after a plugin-defined timeout);
            :data:`REBOOT_HARD` resets it. A stopped guest is started.
        """

    @abc.abstractmethod
    def power_off(self, uuid, timeout=0):
        """Stop the guest, keeping its disks.

        :param timeout: seconds to wait for a clean shutdown before forcing
            it; 0 forces at once. Idempotent on a stopped guest.
        """

    @abc.abstractmethod
    def power_on(self, uuid):
        """Start a stopped guest. Idempotent on a running guest."""

    def pause(self, uuid):
        """Freeze the guest's vCPUs in memory (``capabilities.pause``)."""
        self._unsupported("pause")

    def unpause(self, uuid):
        """Undo :meth:`pause`."""
        self._unsupported("unpause")

    def suspend(self, uuid):
        """Save the guest's memory to disk and stop it
        (``capabilities.suspend``)."""
        self._unsupported("suspend")

    def resume(self, uuid):
        """Undo :meth:`suspend`."""
        self._unsupported("resume")

    def get_console_output(self, uuid, max_bytes=None):
        """Return the tail of the guest's serial console log
        (``capabilities.console_log``).

        :param max_bytes: return at most this many bytes, from the end.
        :returns: ``str``.
        """
        self._unsupported("get_console_output")

    def attach_disk(self, uuid, disk):
        """Hot-plug ``disk`` (:class:`DiskSpec`) into the running guest
        (``capabilities.disk_hotplug``). Attaching a serial already attached
        is an error."""
        self._unsupported("attach_disk")

    def detach_disk(self, uuid, serial):
        """Remove the disk with ``serial`` from the guest. Idempotent."""
        self._unsupported("detach_disk")

    # -- events -------------------------------------------------------------

    def register_event_listener(self, callback):
        """Call ``callback(LifecycleEvent)`` when a guest changes power state.

        Plugins with ``capabilities.lifecycle_events`` deliver events from
        their own thread; callbacks MUST NOT block for long.
        """
        self._listeners.append(callback)

    def emit_event(self, event):
        """Deliver ``event`` to every listener (for plugins to call)."""
        for callback in list(self._listeners):
            callback(event)

    def _unsupported(self, operation):
        raise exception.UnsupportedOperation(
            plugin=type(self).__name__, operation=operation)
