"""The dnsmasq entrypoints: start, find and signal the DHCP server of a
network (and the pure command line it is started with).
"""

import os
import re
import signal

from nimbus.core import exception, privileged
from nimbus.plugins.networks.linux.privileged import in_namespace, namespace

ctx = privileged.context

_TAG = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _dnsmasq_pid(pidfile):
    """The PID in ``pidfile`` if it names a live dnsmasq started with that
    pid file, else None."""
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except (OSError, ValueError):
        return None
    if argv and os.path.basename(argv[0]) == b"dnsmasq" and \
            f"--pid-file={pidfile}".encode() in argv:
        return pid, [a.decode() for a in argv if a]
    return None


@ctx.entrypoint
def dnsmasq_running(pidfile):
    """``(pid, argv)`` of the dnsmasq owning ``pidfile``, or None."""
    found = _dnsmasq_pid(privileged.path_under(pidfile, "/"))
    return list(found) if found else None


@ctx.entrypoint
def dnsmasq_start(ns, netdir, interface, gateway, netmask, range_start,
                  lease_time, dns_servers=(), mtu=None, domain=None):
    """Start dnsmasq in ``ns`` serving static DHCP on ``interface`` from
    the hosts file in ``netdir``; return its argv."""
    ns = namespace(ns)
    netdir = privileged.path_under(netdir, "/")
    interface = privileged.interface_name(interface)
    gateway = privileged.ip_address(gateway, 4)
    netmask = privileged.ip_address(netmask, 4)
    range_start = privileged.ip_address(range_start, 4)
    lease_time = privileged.integer(lease_time, 120, 2 ** 31, "lease time")
    dns = [privileged.ip_address(d, 4) for d in dns_servers]
    argv = dnsmasq_argv(netdir, interface, gateway, netmask, range_start,
                        lease_time, dns, mtu, domain)
    privileged.execute(*in_namespace(ns, *argv))
    return argv


def dnsmasq_argv(netdir, interface, gateway, netmask, range_start,
                 lease_time, dns_servers=(), mtu=None, domain=None):
    """The dnsmasq command line (pure: also used to compare with a running
    one)."""
    argv = ["dnsmasq", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--port=0", "--bind-interfaces", f"--interface={interface}",
            "--except-interface=lo", "--dhcp-authoritative",
            f"--dhcp-range={range_start},static,{netmask},{lease_time}s",
            f"--dhcp-hostsfile={netdir}/hosts",
            f"--dhcp-leasefile={netdir}/leases",
            f"--pid-file={netdir}/pid", "--log-dhcp",
            f"--log-facility={netdir}/dnsmasq.log",
            f"--dhcp-option=option:router,{gateway}"]
    if dns_servers:
        argv.append("--dhcp-option=option:dns-server," + ",".join(dns_servers))
    if mtu:
        argv.append(f"--dhcp-option=option:mtu,"
                    f"{privileged.integer(mtu, 576, 65535, 'MTU')}")
    if domain:
        if not _TAG.match(domain):
            raise exception.PrivilegedArgumentInvalid(argument="domain",
                                                      value=repr(domain))
        argv.append(f"--domain={domain}")
    return argv


@ctx.entrypoint
def dnsmasq_signal(pidfile, hangup):
    """SIGHUP (re-read the hosts file) or SIGTERM the dnsmasq owning
    ``pidfile``; return whether one was running."""
    pidfile = privileged.path_under(pidfile, "/")
    found = _dnsmasq_pid(pidfile)
    if found is None:
        return False
    os.kill(found[0], signal.SIGHUP if hangup else signal.SIGTERM)
    return True
