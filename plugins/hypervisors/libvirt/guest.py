"""A nimbus guest as a libvirt domain (one of the two modules that import
libvirt; the other is :mod:`.host`).

Every libvirt call here goes through :func:`translated`, which turns
``libvirt.libvirtError`` into nimbus exceptions, so nothing above this
module sees libvirt's types.
"""

import contextlib
import errno
import os
import time

import libvirt

from nimbus.core import exception
from nimbus.core.interfaces import power_state

_NOT_FOUND = (libvirt.VIR_ERR_NO_DOMAIN,)

#: libvirt passes the kernel's EAGAIN up when a start is interrupted (the
#: BPF verifier gives up on a pending signal while libvirt loads the device
#: cgroup program); the same start succeeds when asked again.
_TRANSIENT = os.strerror(errno.EAGAIN)
START_ATTEMPTS = 3
START_RETRY_PAUSE = 0.5

_POWER_STATES = {
    libvirt.VIR_DOMAIN_NOSTATE: power_state.NOSTATE,
    libvirt.VIR_DOMAIN_RUNNING: power_state.RUNNING,
    libvirt.VIR_DOMAIN_BLOCKED: power_state.RUNNING,
    libvirt.VIR_DOMAIN_PAUSED: power_state.PAUSED,
    libvirt.VIR_DOMAIN_SHUTDOWN: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_SHUTOFF: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: power_state.CRASHED,
    libvirt.VIR_DOMAIN_PMSUSPENDED: power_state.SUSPENDED,
}


@contextlib.contextmanager
def translated(uuid=None, action="libvirt call"):
    """Re-raise ``libvirtError`` as a nimbus exception."""
    try:
        yield
    except libvirt.libvirtError as err:
        if uuid and err.get_error_code() in _NOT_FOUND:
            raise exception.HypervisorInstanceNotFound(instance_id=uuid)
        raise exception.HypervisorError(
            reason=f"{action} failed: {err.get_error_message()}")


def power_state_of(dom_state, has_managed_save=False):
    """Map a libvirt domain state to a nimbus power state."""
    if dom_state == libvirt.VIR_DOMAIN_SHUTOFF and has_managed_save:
        return power_state.SUSPENDED
    return _POWER_STATES.get(dom_state, power_state.NOSTATE)


class Guest:
    """One libvirt domain; ``uuid`` is the nimbus instance UUID."""

    def __init__(self, domain):
        self._domain = domain
        self.uuid = domain.UUIDString()
        self.name = domain.name()

    def _call(self, action, func, *args):
        with translated(self.uuid, f"{action} of {self.name}"):
            return func(*args)

    # -- state --------------------------------------------------------------

    def state(self):
        """Return the guest's nimbus power state."""
        dom_state, _reason = self._call("state", self._domain.state)
        saved = dom_state == libvirt.VIR_DOMAIN_SHUTOFF and \
            self.has_managed_save()
        return power_state_of(dom_state, saved)

    def info(self):
        """Return ``(power_state, vcpus, memory_mb, cpu_time_ns)``."""
        _st, _max_kib, mem_kib, vcpus, cpu_time = self._call(
            "info", self._domain.info)
        return self.state(), vcpus, mem_kib // 1024, cpu_time

    # -- statistics (server diagnostics) -----------------------------------

    def memory_kib(self):
        """Return ``(max_kib, current_kib)`` from the domain's info."""
        _st, max_kib, mem_kib, _vcpus, _cpu = self._call(
            "info", self._domain.info)
        return max_kib, mem_kib

    def vcpu_times(self):
        """Return ``[(vcpu number, cpu time in ns)]`` of a running guest."""
        infos, _maps = self._call("vcpus", self._domain.vcpus)
        return [(number, cpu_time) for number, _st, cpu_time, _cpu in infos]

    def memory_stats(self):
        """Return the balloon's ``dict`` (``actual``, ``rss``, ... KiB)."""
        return self._call("memoryStats", self._domain.memoryStats)

    def interface_stats(self, dev):
        """Return the 8 counters of the tap ``dev``: rx bytes, packets,
        errors, drops, then the same for tx."""
        return self._call("interfaceStats", self._domain.interfaceStats, dev)

    def block_stats(self, dev):
        """Return the 5 counters of the disk ``dev``: read requests, read
        bytes, write requests, written bytes, errors (-1: not counted)."""
        return self._call("blockStats", self._domain.blockStats, dev)

    def block_resize(self, dev, size):
        """Tell the running guest its disk ``dev`` holds ``size`` bytes."""
        self._call("blockResize", self._domain.blockResize, dev, size,
                   libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)

    def block_capacity(self, dev):
        """The size in bytes the guest sees of its disk ``dev``."""
        capacity, _alloc, _phys = self._call("blockInfo",
                                             self._domain.blockInfo, dev)
        return capacity

    def is_active(self):
        return bool(self._call("isActive", self._domain.isActive))

    def is_persistent(self):
        return bool(self._call("isPersistent", self._domain.isPersistent))

    def has_managed_save(self):
        return bool(self._call("hasManagedSaveImage",
                               self._domain.hasManagedSaveImage, 0))

    def xml(self, inactive=False):
        flags = libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0
        return self._call("XMLDesc", self._domain.XMLDesc, flags)

    # -- power --------------------------------------------------------------

    def start(self):
        """Start the domain (restoring a managed save if there is one).

        A start the host turned down for a moment (EAGAIN) is asked again,
        up to :data:`START_ATTEMPTS` times in all.
        """
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                return self._call("start", self._domain.create)
            except exception.HypervisorError as err:
                if _TRANSIENT not in str(err) or attempt == START_ATTEMPTS:
                    raise
            time.sleep(START_RETRY_PAUSE)

    def destroy(self):
        """Stop at once; a domain that is not running is left alone."""
        try:
            self._call("destroy", self._domain.destroy)
        except exception.HypervisorError:
            if self.is_active():
                raise

    def shutdown(self, acpi=True):
        """Ask the guest to shut down: the ACPI power button, or the
        hypervisor's default way when ``acpi`` is false."""
        flags = libvirt.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN if acpi else 0
        self._call("shutdown", self._domain.shutdownFlags, flags)

    def pause(self):
        self._call("suspend", self._domain.suspend)

    def inject_nmi(self):
        self._call("inject-nmi", self._domain.injectNMI, 0)

    def resume(self):
        self._call("resume", self._domain.resume)

    def managed_save(self):
        self._call("managedSave", self._domain.managedSave, 0)

    def remove_managed_save(self):
        self._call("managedSaveRemove", self._domain.managedSaveRemove, 0)

    def undefine(self):
        flags = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                 libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                 libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
        self._call("undefine", self._domain.undefineFlags, flags)

    # -- devices ------------------------------------------------------------

    def _device_flags(self):
        flags = 0
        if self.is_active():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        if self.is_persistent():
            flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
        return flags

    def attach_device(self, device_xml):
        """Attach to the running guest and, if persistent, its config."""
        self._call("attach device", self._domain.attachDeviceFlags,
                   device_xml, self._device_flags())

    def detach_device(self, device_xml, live=True, config=True):
        """Detach from the running guest and/or the persistent config."""
        flags = 0
        if live and self.is_active():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        if config and self.is_persistent():
            flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if flags:
            self._call("detach device", self._domain.detachDeviceFlags,
                       device_xml, flags)
