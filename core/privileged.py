"""The one way nimbus runs privileged commands: oslo.privsep.

Everything that needs root (``ip``, ``ovs-vsctl``, ``ovs-ofctl``,
``iptables``, ``dnsmasq``, ``lvm``, ``tgtadm``, ``qemu-img`` on root-owned
paths) runs inside the privsep daemon of :data:`context`, in functions
decorated with ``@privileged.context.entrypoint`` that live in the module
of the plugin needing them (a privsep entrypoint must sit below the
``nimbus`` package). Each such function:

* takes plain values (``str``, ``int``, lists of them), never a command
  line, and checks every argument with the validators below *before*
  building a command, so a caller's name or CIDR never reaches a program
  unchecked;
* runs programs with :func:`execute`, an argument vector (never a shell
  string) whose program must be in :data:`COMMANDS`.

A daemon calls :func:`start` once, early in ``main``: as root (tests,
``nimbus-all`` run as root) it forks the privsep daemon directly; as
another user privsep runs its ``privsep-helper`` through the
``[privsep_nimbus] helper_command`` operators configure (``sudo
privsep-helper ...`` by default), so the nimbus services themselves never
hold root.
"""

import ipaddress
import os
import re
import subprocess

from oslo_config import cfg
from oslo_privsep import capabilities as caps
from oslo_privsep import priv_context

from nimbus.core import exception

#: the privsep context of every nimbus entrypoint.
context = priv_context.PrivContext(
    "nimbus",
    cfg_section="privsep_nimbus",
    pypath=__name__ + ".context",
    capabilities=[
        caps.CAP_NET_ADMIN, caps.CAP_NET_RAW, caps.CAP_NET_BIND_SERVICE,
        caps.CAP_SYS_ADMIN, caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH,
        caps.CAP_CHOWN, caps.CAP_FOWNER, caps.CAP_KILL, caps.CAP_SETUID,
        caps.CAP_SETGID, caps.CAP_MKNOD, caps.CAP_SYS_RESOURCE,
    ],
)

#: the programs :func:`execute` runs; anything else is refused.
COMMANDS = frozenset({
    "ip", "ovs-vsctl", "ovs-ofctl", "ovs-appctl", "iptables",
    "iptables-save", "iptables-restore", "sysctl", "dnsmasq", "kill",
    "conntrack", "ipset", "ip6tables", "ip6tables-restore",
    "lvm", "lvcreate", "lvextend", "lvremove", "lvrename", "lvs", "vgs",
    "pvs", "vgcreate", "tgtadm", "tgt-admin", "qemu-img", "dd", "truncate",
    "blockdev",
})

#: programs that copy a volume's or image's data: no default time limit
#: (their time grows with the size); the others get
#: :data:`DEFAULT_TIMEOUT`.
_COPIERS = frozenset({"qemu-img", "dd"})
#: seconds a control program (ip, lvm, tgtadm, ...) may run before it
#: is killed and its call fails, unless the caller gives ``timeout``.
DEFAULT_TIMEOUT = 300


def start():
    """Start the privsep daemon now, before the service starts threads.

    As root the daemon is forked from this process (no helper program,
    no sudo); otherwise privsep starts ``privsep-helper`` on first use
    through the configured ``helper_command``.
    """
    if context.channel is not None:
        return
    if os.geteuid() == 0:
        # A container may bound the capabilities (e.g. no
        # CAP_SYS_RESOURCE); asking for one outside the bounding set makes
        # the daemon's capset() fail, so keep only those it can hold.
        bounding = _bounding_set()
        if bounding is not None:
            wanted = cfg.CONF[context.cfg_section].capabilities
            cfg.CONF.set_default(
                "capabilities", group=context.cfg_section,
                default=[c for c in wanted if bounding >> c & 1])
        context.start(priv_context.Method.FORK)


def _bounding_set():
    """This process's capability bounding set as a bit mask, or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapBnd:"):
                    return int(line.split()[1], 16)
    except OSError:
        return None
    return None


def stop():
    """Stop the privsep daemon this process started (tests, shutdown)."""
    context.stop()


def execute(*argv, check_exit_code=True, process_input=None, env=None,
            timeout=None):
    """Run ``argv`` (no shell) and return ``(stdout, stderr)`` as text.

    Call it only from inside a ``@context.entrypoint`` function: it does
    not raise privileges by itself. The child is started by
    :func:`subprocess.run` with no Python code between fork and exec
    (no ``preexec_fn``, which is unsafe in the threaded privsep daemon),
    default signal dispositions restored and no inherited descriptors.

    :param check_exit_code: True (exit 0 only), False (any exit), an
        exit code or the list of accepted exit codes.
    :param process_input: text written to the program's stdin.
    :param env: the program's whole environment (default: this one's).
    :param timeout: seconds before the program is killed and the call
        fails (default :data:`DEFAULT_TIMEOUT`, none for data copies).
    :raises PrivilegedArgumentInvalid: the program is not in
        :data:`COMMANDS` or an argument is not a ``str``/``int`` or holds
        a NUL byte.
    :raises PrivilegedCommandFailed: the program exited with a code not
        accepted, ran out of time, or could not be run.
    """
    if not argv or argv[0] not in COMMANDS:
        raise exception.PrivilegedArgumentInvalid(
            argument="program", value=argv[0] if argv else "")
    args = [_argument(arg) for arg in argv]
    if timeout is None and args[0] not in _COPIERS:
        timeout = DEFAULT_TIMEOUT
    command = " ".join(args)
    try:
        done = subprocess.run(
            args, input=process_input, capture_output=True, text=True,
            errors="replace", env=env, timeout=timeout, close_fds=True,
            restore_signals=True, shell=False,
            stdin=subprocess.DEVNULL if process_input is None else None)
    except subprocess.TimeoutExpired:
        raise exception.PrivilegedCommandFailed(
            command=command, exit_code=-1,
            stderr=f"killed after {timeout}s") from None
    except OSError as err:
        raise exception.PrivilegedCommandFailed(
            command=command, exit_code=-1, stderr=str(err)) from None
    if not _accepted(done.returncode, check_exit_code):
        raise exception.PrivilegedCommandFailed(
            command=command, exit_code=done.returncode,
            stderr=(done.stderr or "").strip()[-500:])
    return done.stdout, done.stderr


def _argument(arg):
    if isinstance(arg, bool) or not isinstance(arg, (str, int)):
        raise exception.PrivilegedArgumentInvalid(
            argument="argument", value=repr(arg))
    arg = str(arg)
    if "\0" in arg:
        raise exception.PrivilegedArgumentInvalid(
            argument="argument", value=repr(arg))
    return arg


def _accepted(code, check_exit_code):
    if check_exit_code is False:
        return True
    if check_exit_code is True:
        return code == 0
    if isinstance(check_exit_code, int):
        return code == check_exit_code
    return code in check_exit_code


# -- validators: call them on every argument before building a command ----

_IFNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+=@-]{0,254}$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def _invalid(argument, value):
    return exception.PrivilegedArgumentInvalid(argument=argument,
                                               value=repr(value))


def interface_name(value):
    """A Linux interface, bridge or namespace-safe name (<= 15 chars)."""
    if not isinstance(value, str) or not _IFNAME.match(value):
        raise _invalid("interface name", value)
    return value


def token(value, argument="name"):
    """A name safe as one argument: letters, digits and ``_.:+=@-``, not
    starting with ``-`` (so it can never read as an option)."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise _invalid(argument, value)
    return value


def ip_address(value, version=None):
    """An IP address in its canonical text form."""
    try:
        addr = ipaddress.ip_address(value)
    except (TypeError, ValueError):
        raise _invalid("IP address", value) from None
    if version is not None and addr.version != version:
        raise _invalid("IP address", value)
    return str(addr)


def cidr(value, strict=False):
    """A network in CIDR form (``10.0.0.0/24``); with ``strict`` the host
    bits must be zero."""
    try:
        net = ipaddress.ip_network(value, strict=strict)
    except (TypeError, ValueError):
        raise _invalid("CIDR", value) from None
    if strict:
        return str(net)
    return str(ipaddress.ip_interface(value))


def mac_address(value):
    """A MAC address as ``aa:bb:cc:dd:ee:ff`` (lower case)."""
    if not isinstance(value, str) or not _MAC.match(value.lower()):
        raise _invalid("MAC address", value)
    return value.lower()


def integer(value, minimum, maximum, argument="number"):
    """An ``int`` in ``[minimum, maximum]`` (VLAN ids, ports, sizes)."""
    if isinstance(value, bool) or not isinstance(value, int) \
            or not minimum <= value <= maximum:
        raise _invalid(argument, value)
    return value


def vlan_id(value):
    """An 802.1Q VLAN id (1-4094)."""
    return integer(value, 1, 4094, "VLAN id")


def path_under(value, base):
    """An absolute path that resolves inside ``base`` (no ``..`` escape,
    no symlink out)."""
    if not isinstance(value, str) or not os.path.isabs(value) \
            or "\0" in value:
        raise _invalid("path", value)
    real = os.path.realpath(value)
    root = os.path.realpath(base)
    if os.path.commonpath([real, root]) != root:
        raise _invalid("path", value)
    return real
