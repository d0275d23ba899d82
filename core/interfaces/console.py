"""The remote-console part of the hypervisor contract (interface 1.6).

:class:`RemoteConsoleContract` is mixed into
:class:`nimbus.core.interfaces.hypervisor.Hypervisor`. Its method is
optional: a plugin declaring ``capabilities.vnc_console`` implements it,
one that does not keeps the default (it raises UnsupportedOperation) and
the compute API refuses the console with 409 before asking the host.

A console is an address on the compute host that speaks the console's
protocol (RFB for VNC). The plugin only says where it is: nimbus's
console proxy connects there on behalf of a client holding a valid
token, so the address must be reachable from the proxy and nobody else
needs to reach it (plugins listen on loopback unless told otherwise).
"""

import dataclasses


@dataclasses.dataclass
class ConsoleAddress:
    """Where a guest's console listens, as the console proxy reaches it."""

    host: str
    port: int
    #: a path the proxy sends after connecting (none for VNC).
    internal_access_path: str | None = None

    def to_dict(self):
        return dataclasses.asdict(self)


class RemoteConsoleContract:
    """The optional remote-console methods of a hypervisor plugin."""

    def get_vnc_console(self, uuid):
        """Return the :class:`ConsoleAddress` of the running guest's VNC
        server (``capabilities.vnc_console``).

        The address stays valid while the guest runs; it may change when
        the guest is restarted, so callers ask again for every console.

        :raises HypervisorInstanceNotFound: no such guest.
        :raises ConsoleUnavailable: the guest exists but offers no VNC
            console now (for example, it is stopped or was defined
            without one).
        """
        self._unsupported("get_vnc_console")
