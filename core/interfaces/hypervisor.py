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
from nimbus.core.interfaces.console import (  # noqa: F401
    ConsoleAddress,
    RemoteConsoleContract,
)
from nimbus.core.interfaces.guest import (  # noqa: F401
    CpuDiagnostics,
    DiskDiagnostics,
    DiskSpec,
    GuestDiagnostics,
    GuestInfo,
    GuestSpec,
    HostResources,
    ImageSpec,
    LifecycleEvent,
    NicDiagnostics,
    VifSpec,
    vif_device_name,
)
from nimbus.core.interfaces.live_migration import (  # noqa: F401
    LiveMigrateData,
    LiveMigrationContract,
    LiveMigrationProgress,
)

#: 1.1: ``attach_interface``/``detach_interface`` and the ``vif_hotplug``
#: capability (optional: a 1.0 plugin declares no ``vif_hotplug``).
#: 1.2: cold moves (resize, migrate): ``migrate_disk_and_power_off``,
#: ``finish_migration``, ``confirm_migration``,
#: ``finish_revert_migration`` and the ``cold_migration`` capability
#: (optional: a 1.1 plugin declares no ``cold_migration``).
#: 1.3: live migration (:mod:`nimbus.core.interfaces.live_migration`):
#: the ``live_migration``, ``block_migration``, ``live_migration_abort``
#: and ``live_migration_force_complete`` capabilities and their optional
#: methods (a 1.2 plugin declares none of them).
#: 1.4: ``snapshot`` (capability ``snapshot``), ``rescue``/``unrescue``
#: (capability ``rescue``); optional: a plugin declaring neither is a
#: valid 1.4 plugin and the API refuses those actions on its hosts (409).
#: 1.5: ``trigger_crash_dump`` (capability ``crash_dump``); optional: a
#: 1.4 plugin declares no ``crash_dump`` and the API refuses it (409).
#: 1.6: remote consoles (:mod:`nimbus.core.interfaces.console`):
#: ``get_vnc_console`` (capability ``vnc_console``); optional: a 1.5
#: plugin declares no ``vnc_console`` and the API refuses consoles (409).
#: 1.7: ``get_diagnostics`` (capability ``diagnostics``) and its value
#: types (:class:`GuestDiagnostics`); optional: a 1.6 plugin declares no
#: ``diagnostics`` and the API refuses server diagnostics (409).
#: 1.8: ``extend_volume`` (capability ``volume_extend``); optional: a 1.7
#: plugin declares no ``volume_extend`` and a ``volume-extended`` event
#: for its guests is answered 422 (the guest keeps the old size until it
#: is rebooted or the volume is re-attached).
#: 1.9: ``DiskSpec.shareable`` (capability ``supports_multiattach``);
#: optional: a 1.8 plugin declares no ``supports_multiattach`` and the
#: API refuses to attach multiattach volumes to its guests (409).
#: 1.10: capabilities ``supports_tagged_attach_volume`` and
#: ``supports_tagged_attach_interface`` (a disk or NIC may be hot-plugged
#: with a device tag: the plugin can tell the guest where the device is,
#: which the tag's device metadata needs); optional: a 1.9 plugin
#: declares neither and the API refuses a tagged attach to its guests
#: (400, as Nova).
#: 1.11: ``cache_image`` (capability ``image_precache``): copy an image
#: into the host's image cache ahead of any boot (Compute API 2.81);
#: optional: a 1.10 plugin declares no ``image_precache`` and its hosts
#: answer ``unsupported``.
#: 1.12: capability ``rescue_volume_backed``: :meth:`Hypervisor.rescue`
#: of a volume-backed guest (``spec.root_volume`` set) boots the rescue
#: image with every disk of the guest attached at its own device
#: ("stable device rescue", Compute API 2.87); optional: a 1.11 plugin
#: declares no ``rescue_volume_backed`` and the API refuses (400).
#: 1.13: ``set_admin_password`` (capability ``set_admin_password``): the
#: running guest's administrator password (changePassword); optional: a
#: 1.12 plugin declares no ``set_admin_password`` and the API answers
#: 501, as Nova's drivers that cannot. Also the optional data attribute
#: :attr:`Hypervisor.snapshot_format` (None keeps 1.12's behaviour).
INTERFACE_VERSION = "1.13"

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
    #: ``attach_interface``/``detach_interface`` work on a running guest.
    vif_hotplug: bool = False
    #: images carrying ``kernel_id``/``ramdisk_id`` boot by direct kernel boot.
    direct_kernel_boot: bool = False
    #: lifecycle events are delivered to listeners (see
    #: :meth:`Hypervisor.register_event_listener`).
    lifecycle_events: bool = False
    #: cold moves: ``migrate_disk_and_power_off``, ``finish_migration``,
    #: ``confirm_migration``, ``finish_revert_migration`` (resize and
    #: cold migration, contract 1.2).
    cold_migration: bool = False
    #: a running guest moves to another host of the same plugin (the
    #: methods of :class:`LiveMigrationContract`).
    live_migration: bool = False
    #: live migration copies local disks along (no shared storage).
    block_migration: bool = False
    #: a running live migration can be aborted.
    live_migration_abort: bool = False
    #: a running live migration can be forced to complete.
    live_migration_force_complete: bool = False
    #: :meth:`Hypervisor.snapshot` copies a guest's root disk into a
    #: standalone image file (createImage, shelve).
    snapshot: bool = False
    #: :meth:`Hypervisor.rescue`/:meth:`Hypervisor.unrescue`.
    rescue: bool = False
    #: :meth:`Hypervisor.rescue` of a volume-backed guest (1.12).
    rescue_volume_backed: bool = False
    #: :meth:`Hypervisor.trigger_crash_dump` (an NMI to the guest).
    crash_dump: bool = False
    #: :meth:`Hypervisor.get_vnc_console`: guests have a VNC server the
    #: console proxy can reach (remote consoles, noVNC).
    vnc_console: bool = False
    #: :meth:`Hypervisor.get_diagnostics` (server diagnostics).
    diagnostics: bool = False
    #: :meth:`Hypervisor.extend_volume`: a running guest learns the new
    #: size of an attached volume (the ``volume-extended`` event).
    volume_extend: bool = False
    #: a disk with ``DiskSpec.shareable`` (a multiattach volume) may be
    #: attached to several guests at once.
    supports_multiattach: bool = False
    #: a volume attached with a device tag (compute API 2.49) may be
    #: hot-plugged into a running guest (Nova's drivers declaring it
    #: report the device's bus address for the guest's device metadata).
    supports_tagged_attach_volume: bool = False
    #: the same for a NIC attached with a device tag.
    supports_tagged_attach_interface: bool = False
    #: :meth:`Hypervisor.cache_image`: the host keeps images it booted
    #: from, and can be given one before any guest needs it.
    image_precache: bool = False
    #: :meth:`Hypervisor.set_admin_password` (1.13).
    set_admin_password: bool = False


#: what a stable device rescue may show the rescue disk as (the rescue
#: image's ``hw_rescue_device`` and ``hw_rescue_bus``, Nova's values).
RESCUE_DEVICES = ("disk", "cdrom")
RESCUE_BUSES = ("virtio", "scsi", "usb", "ide", "sata")

#: image formats :meth:`Hypervisor.snapshot` may be asked for.
SNAPSHOT_FORMATS = ("raw", "qcow2")


class Hypervisor(LiveMigrationContract, RemoteConsoleContract, abc.ABC):
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
    #: the format (one of :data:`SNAPSHOT_FORMATS`) this host writes
    #: snapshots in, as Nova's libvirt driver writes its disks' own
    #: format; None: the format the image was queued with (its base
    #: image's). Optional data (1.13; None for older plugins): the compute manager sets
    #: the image's ``disk_format`` to it before the upload.
    snapshot_format = None

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

        A volume-backed guest (``spec.root_volume`` is set) boots from
        that volume as its first disk and gets no local root disk; its
        ``spec.image``, if any, only lends properties and the kernel and
        ramdisk. Returns once the guest is running. On failure the plugin MUST remove
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

    def trigger_crash_dump(self, uuid):
        """Send the running guest a non-maskable interrupt, so that a
        guest configured for it dumps its memory (or panics)
        (``capabilities.crash_dump``)."""
        self._unsupported("trigger_crash_dump")

    def set_admin_password(self, uuid, password):
        """Set the administrator password inside the running guest
        (``capabilities.set_admin_password``), as Nova's drivers do
        through a guest agent.

        :raises HypervisorInstanceNotFound: no such guest.
        :raises HypervisorError: the guest did not take it (not running,
            no agent, refused).
        """
        self._unsupported("set_admin_password")

    def get_console_output(self, uuid, max_bytes=None):
        """Return the tail of the guest's serial console log
        (``capabilities.console_log``).

        :param max_bytes: return at most this many bytes, from the end.
        :returns: ``str``.
        """
        self._unsupported("get_console_output")

    def get_diagnostics(self, uuid):
        """Return what the hypervisor measures of the running guest
        (``capabilities.diagnostics``): its vCPUs, memory, NICs and disks
        with their counters, and the plugin's own free-form values.

        Reading MUST NOT change the guest. Counters the hypervisor does
        not keep are None (a disk's ``errors_count`` -1); a NIC or disk
        whose counters cannot be read is still listed.

        :returns: :class:`GuestDiagnostics`.
        :raises HypervisorInstanceNotFound: no such guest.
        """
        self._unsupported("get_diagnostics")

    def cache_image(self, context, image):
        """Copy ``image`` (an :class:`ImageSpec` with its local ``path``)
        into this host's image cache, as a boot from it would
        (``capabilities.image_precache``), so the first boot here does not
        wait for the copy. Idempotent and safe beside boots of the same
        image.

        :returns: True when it was copied now, False when the cache
            already held it.
        """
        self._unsupported("cache_image")

    def attach_disk(self, uuid, disk):
        """Hot-plug ``disk`` (:class:`DiskSpec`) into the running guest
        (``capabilities.disk_hotplug``). Attaching a serial already attached
        is an error."""
        self._unsupported("attach_disk")

    def detach_disk(self, uuid, serial):
        """Remove the disk with ``serial`` from the guest. Idempotent."""
        self._unsupported("detach_disk")

    def extend_volume(self, uuid, serial, new_size):
        """Tell the running guest that its attached disk ``serial`` now
        holds ``new_size`` bytes (``capabilities.volume_extend``).

        The volume backend has already grown the volume; the plugin only
        makes the guest see the new size. A size smaller than the disk's
        is an error, never a shrink.

        :raises HypervisorInstanceNotFound: no such guest.
        :raises HypervisorError: the guest has no disk ``serial`` or is
            not running.
        """
        self._unsupported("extend_volume")

    def attach_interface(self, uuid, vif):
        """Hot-plug ``vif`` (:class:`VifSpec`) into the running guest
        (``capabilities.vif_hotplug``). Attaching a VIF id already attached
        is an error."""
        self._unsupported("attach_interface")

    def detach_interface(self, uuid, vif_id):
        """Remove the VIF with id ``vif_id`` from the guest. Idempotent."""
        self._unsupported("detach_interface")

    # -- cold moves (contract 1.2, ``capabilities.cold_migration``) ---------
    #
    # A resize or cold migration runs, driven by conductor:
    # ``migrate_disk_and_power_off`` on the source, ``finish_migration``
    # on the destination; then either ``confirm_migration`` on the source
    # (the move is kept) or, to revert, ``destroy`` on the destination
    # (skipped when it is the source host) and
    # ``finish_revert_migration`` on the source. Source and destination
    # may be the same host (``[compute] allow_resize_to_same_host``).

    def migrate_disk_and_power_off(self, context, uuid, dest_host, spec,
                                   timeout=0):
        """Stop the guest and send its disks towards ``dest_host``.

        The source guest's definition and disks are KEPT (set aside) so
        :meth:`finish_revert_migration` can bring it back; ``destroy`` of
        the uuid on this host does not remove what is set aside.

        :param dest_host: the destination compute host (may be this one).
        :param spec: the :class:`GuestSpec` of the guest with its NEW
            flavor; a disk smaller than the guest's current one is refused.
        :param timeout: seconds for a clean shutdown (0: force).
        :returns: ``disk_info``, a JSON-serialisable ``dict`` that
            :meth:`finish_migration` on ``dest_host`` receives.
        :raises ResizeError: the new flavor cannot hold the disks; the
            guest is left as it was (running if it ran).
        :raises HypervisorError: any other failure; the plugin restores
            the guest before raising where it can.
        """
        self._unsupported("migrate_disk_and_power_off")

    def finish_migration(self, context, spec, disk_info, power_on=True):
        """On the destination: create the guest of ``spec`` (its new
        flavor) from the disks ``disk_info`` describes, started when
        ``power_on``.

        :param disk_info: what :meth:`migrate_disk_and_power_off`
            returned on the source.
        :raises HypervisorError: nothing of the guest is left on this
            host (beyond what the source set aside, on the same host).
        """
        self._unsupported("finish_migration")

    def confirm_migration(self, context, uuid, same_host):
        """On the source: remove what :meth:`migrate_disk_and_power_off`
        set aside. Idempotent.

        :param same_host: the guest now runs on this host too (only the
            set-aside copy goes).
        """
        self._unsupported("confirm_migration")

    def finish_revert_migration(self, context, spec, power_on=True):
        """On the source: bring back the guest
        :meth:`migrate_disk_and_power_off` set aside (``spec`` has the
        OLD flavor) and start it when ``power_on``.

        On a move within one host, the guest :meth:`finish_migration`
        made there is replaced by the set-aside one (conductor calls no
        ``destroy`` then). Idempotent: with nothing set aside (the move
        never sent its disks, or the revert already ran) the guest stays
        as it is, started when ``power_on``.

        :raises HypervisorInstanceNotFound: neither a set-aside copy nor
            a guest exists.
        """
        self._unsupported("finish_revert_migration")
    # -- images of guests (1.4) -------------------------------------------

    def snapshot(self, context, uuid, dest_path, disk_format="raw"):
        """Write the guest's root disk as one standalone image file
        (``capabilities.snapshot``).

        The guest may be running, paused or stopped, and is in the same
        state afterwards; a running guest may be paused for the copy
        (file-system consistency is best effort: what the guest flushed
        is in the copy). The file has no backing file, so it boots on any
        host once uploaded.

        :param dest_path: an absolute path in a directory that exists; the
            plugin creates the file. On failure no file is left there.
        :param disk_format: one of :data:`SNAPSHOT_FORMATS`.
        :returns: the size of the file in bytes.
        :raises HypervisorInstanceNotFound: no such guest.
        :raises HypervisorError: the copy failed.
        """
        self._unsupported("snapshot")

    def rescue(self, context, spec, rescue_image):
        """Restart the guest ``spec.uuid`` from ``rescue_image``
        (:class:`ImageSpec`) with its own root disk attached as the second
        disk, untouched (``capabilities.rescue``).

        The original definition is kept so :meth:`unrescue` restores it,
        also after a compute restart. On failure the guest is left with
        its own definition.

        A volume-backed guest (``spec.root_volume`` set; only with
        ``capabilities.rescue_volume_backed``) is rescued with *stable
        devices*: every disk of ``spec.disks`` (already connected to this
        host) stays at its device and the rescue disk is added after
        them and booted first; the rescue image's ``hw_rescue_device``
        (``disk``, ``cdrom``) and ``hw_rescue_bus`` (``virtio``,
        ``scsi``, ``usb``, ``ide``, ``sata``) properties choose what the
        guest sees it as.

        :param spec: the guest's :class:`GuestSpec` (flavor, VIFs, name;
            for a volume-backed guest its volumes in ``disks``).
        :raises HypervisorInstanceNotFound: no such guest.
        :raises HypervisorError: the guest is already rescued, or the
            rescue failed.
        """
        self._unsupported("rescue")

    def unrescue(self, uuid):
        """Undo :meth:`rescue`: the guest runs from its own root disk
        again and the rescue disk is removed. Idempotent on a guest that
        is not rescued (it is started if stopped)."""
        self._unsupported("unrescue")

    def is_rescued(self, uuid):
        """Whether the guest runs from a rescue disk now."""
        return False

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
