"""The libvirt connection of one compute host (with :mod:`.guest`, the only
module that imports libvirt).

Lifecycle events come from libvirt's default event implementation, run by
one daemon thread per process; the implementation has to be registered
before the first connection is opened, which :meth:`Host.connect` does.
"""

import threading

import libvirt
from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import config
from nimbus.plugins.hypervisors.libvirt import guest as guest_mod

LOG = logging.getLogger(__name__)

_loop_lock = threading.Lock()
_loop_thread = None

_EVENT_STATES = {
    libvirt.VIR_DOMAIN_EVENT_STARTED: power_state.RUNNING,
    libvirt.VIR_DOMAIN_EVENT_RESUMED: power_state.RUNNING,
    libvirt.VIR_DOMAIN_EVENT_SUSPENDED: power_state.PAUSED,
    libvirt.VIR_DOMAIN_EVENT_STOPPED: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_EVENT_PMSUSPENDED: power_state.SUSPENDED,
    libvirt.VIR_DOMAIN_EVENT_CRASHED: power_state.CRASHED,
}


def _ignore_error(_ctx, _err):
    """Keep libvirt from printing every error on stderr; errors are
    raised as exceptions anyway."""


def _run_event_loop():
    while True:
        try:
            libvirt.virEventRunDefaultImpl()
        except libvirt.libvirtError as err:
            LOG.warning("libvirt event loop: %(err)s", {"err": err})


def start_event_loop():
    """Register libvirt's default event loop and run it in a daemon
    thread, once per process."""
    global _loop_thread
    with _loop_lock:
        if _loop_thread is not None:
            return
        libvirt.registerErrorHandler(_ignore_error, None)
        libvirt.virEventRegisterDefaultImpl()
        _loop_thread = threading.Thread(
            target=_run_event_loop, name="libvirt-events", daemon=True)
        _loop_thread.start()


def event_power_state(event, detail):
    """Return the power state a lifecycle event leads to, or None for
    events that do not change it (defined, undefined, ...)."""
    if event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
        if detail == libvirt.VIR_DOMAIN_EVENT_STOPPED_SAVED:
            return power_state.SUSPENDED
        if detail == libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED:
            return power_state.CRASHED
    return _EVENT_STATES.get(event)


class Host:
    """The libvirt connection: guests, capabilities, secrets, events.

    :param uri: libvirt connection URI.
    :param name_prefix: only domains whose names start with it are
        nimbus's guests.
    :param on_event: called with a :class:`LifecycleEvent` from the event
        thread for each power change of one of the guests.
    """

    def __init__(self, uri, name_prefix, on_event=None):
        self.uri = uri
        self.name_prefix = name_prefix
        self._on_event = on_event
        self._conn = None
        self._callback_id = None

    # -- connection ---------------------------------------------------------

    def connect(self):
        start_event_loop()
        with guest_mod.translated(action=f"connecting to {self.uri}"):
            self._conn = libvirt.open(self.uri)
            if self._on_event is not None:
                self._callback_id = self._conn.domainEventRegisterAny(
                    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                    self._lifecycle, None)

    def close(self):
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._callback_id is not None:
                conn.domainEventDeregisterAny(self._callback_id)
            conn.close()
        except libvirt.libvirtError as err:
            LOG.warning("Closing %(uri)s: %(err)s",
                        {"uri": self.uri, "err": err})
        self._callback_id = None

    @property
    def conn(self):
        if self._conn is None:
            raise exception.HypervisorError(
                reason=f"not connected to {self.uri}")
        return self._conn

    def _lifecycle(self, _conn, dom, event, detail, _opaque):
        state = event_power_state(event, detail)
        try:
            if state is None or not dom.name().startswith(self.name_prefix):
                return
            self._on_event(hv.LifecycleEvent(uuid=dom.UUIDString(),
                                              power_state=state))
        except Exception:  # the event thread must survive listeners
            LOG.exception("Lifecycle event listener failed")

    # -- guests -------------------------------------------------------------

    def _ours(self, dom):
        return dom.name().startswith(self.name_prefix)

    def find(self, uuid):
        """Return the :class:`Guest` of instance ``uuid``, or None."""
        try:
            dom = self.conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise exception.HypervisorError(
                reason=f"looking up {uuid}: {err.get_error_message()}")
        return guest_mod.Guest(dom) if self._ours(dom) else None

    def lookup(self, uuid):
        """Return the :class:`Guest` of ``uuid`` or raise NotFound."""
        found = self.find(uuid)
        if found is None:
            raise exception.HypervisorInstanceNotFound(instance_id=uuid)
        return found

    def list_guests(self):
        """Return every nimbus guest, running or not."""
        with guest_mod.translated(action="listing domains"):
            doms = self.conn.listAllDomains(0)
        return [guest_mod.Guest(d) for d in doms if self._ours(d)]

    def define(self, xml):
        """Define a persistent domain from ``xml`` and return it."""
        with guest_mod.translated(action="defining domain"):
            return guest_mod.Guest(self.conn.defineXML(xml))

    # -- host facts ---------------------------------------------------------

    def capabilities(self):
        with guest_mod.translated(action="getCapabilities"):
            return self.conn.getCapabilities()

    def node_info(self):
        """Return ``(arch, memory_mb, cpus)`` of the host."""
        with guest_mod.translated(action="getInfo"):
            info = self.conn.getInfo()
        return info[0], info[1], info[2]

    def hypervisor(self):
        """Return ``(type, version, hostname)``, e.g. ``("QEMU", 7002022,
        "node1")``."""
        with guest_mod.translated(action="getVersion"):
            return (self.conn.getType(), self.conn.getVersion(),
                    self.conn.getHostname())

    # -- secrets ------------------------------------------------------------

    def set_secret(self, usage_type, usage, value):
        """Create (or update) a private secret and store ``value``."""
        xml = config.secret_xml(usage_type, usage)
        with guest_mod.translated(action=f"defining secret {usage}"):
            secret = self.conn.secretDefineXML(xml, 0)
            secret.setValue(value.encode(), 0)

    def delete_secret(self, usage_type, usage):
        """Remove a secret; a missing one is fine."""
        kind = {"iscsi": libvirt.VIR_SECRET_USAGE_TYPE_ISCSI}[usage_type]
        try:
            self.conn.secretLookupByUsage(kind, usage).undefine()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_SECRET:
                raise exception.HypervisorError(
                    reason=f"removing secret {usage}: "
                           f"{err.get_error_message()}")

    def secret_usages(self, prefix):
        """Return the usage names of the secrets starting with
        ``prefix``."""
        with guest_mod.translated(action="listing secrets"):
            secrets = self.conn.listAllSecrets(0)
        return [s.usageID() for s in secrets
                if (s.usageID() or "").startswith(prefix)]
