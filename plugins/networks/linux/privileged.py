"""Every privileged operation of the Linux network plugins.

Each function is an oslo.privsep entrypoint of :mod:`nimbus.core.privileged`:
it takes plain values, checks each one with the kernel's validators (or
the stricter ones below) before building an argument vector, and runs it
with :func:`nimbus.core.privileged.execute`. Nothing here decides policy:
what to configure is worked out by the unprivileged modules, which pass
the result down as data.

A ``ns`` argument names the network namespace to work in (``None``: the
host's own).
"""

import os
import re
import signal

from nimbus.core import exception, privileged

ctx = privileged.context

_SYSCTL = re.compile(
    r"^net\.ipv4\.(ip_forward|conf\.[A-Za-z0-9_.-]{1,15}\."
    r"(route_localnet|rp_filter|forwarding|send_redirects|proxy_arp))$")
# iptables rule words and OpenFlow flow texts are built by this package
# from validated values; these patterns make sure no line break, shell or
# option-file syntax can slip through even so.
_IPT_WORD = re.compile(r"^[A-Za-z0-9_.:/,=!+-]{1,64}$")
_CHAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,27}$")
_BUILTIN = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}
_TABLES = {"filter", "nat", "mangle", "raw"}
_FLOW = re.compile(r"^[A-Za-z0-9_=,.:/()+ *\[\]>-]{1,4096}$")
_IPSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,28}$")
_COOKIE = re.compile(r"^0x[0-9a-f]{1,16}$")


def _ns(ns):
    return privileged.interface_name(ns) if ns is not None else None


def _in_ns(ns, *argv):
    """``argv`` run inside namespace ``ns`` (validated), or as is."""
    if ns is None:
        return argv
    return ("ip", "netns", "exec", ns) + tuple(argv)


def _ip(ns, *args, check=True):
    if ns is None:
        return privileged.execute("ip", *args, check_exit_code=check)
    return privileged.execute("ip", "-n", ns, *args, check_exit_code=check)


def _link_exists(name, ns=None):
    out, _err = _ip(ns, "link", "show", "dev", name, check=[0, 1])
    return bool(out.strip())


# -- namespaces, links, addresses, routes, sysctls --------------------------

@ctx.entrypoint
def ensure_namespace(ns):
    """Create namespace ``ns`` unless it exists. Its loopback stays down:
    the gateway routes 127.0.0.0/8 to the host's metadata service."""
    ns = _ns(ns)
    if not os.path.exists(f"/run/netns/{ns}"):
        privileged.execute("ip", "netns", "add", ns)


@ctx.entrypoint
def delete_namespace(ns):
    """Delete namespace ``ns`` (idempotent)."""
    ns = _ns(ns)
    if os.path.exists(f"/run/netns/{ns}"):
        privileged.execute("ip", "netns", "delete", ns)


@ctx.entrypoint
def namespace_exists(ns):
    return os.path.exists(f"/run/netns/{_ns(ns)}")


@ctx.entrypoint
def set_sysctl(ns, key, value):
    """Set one allow-listed IPv4 sysctl (``value`` 0-2) in ``ns``."""
    ns = _ns(ns)
    if not isinstance(key, str) or not _SYSCTL.match(key):
        raise exception.PrivilegedArgumentInvalid(argument="sysctl",
                                                  value=repr(key))
    value = privileged.integer(value, 0, 2, "sysctl value")
    privileged.execute(*_in_ns(ns, "sysctl", "-qw", f"{key}={value}"))


@ctx.entrypoint
def link_exists(name, ns=None):
    return _link_exists(privileged.interface_name(name), _ns(ns))


@ctx.entrypoint
def ensure_veth(outside, inside, ns, mtu=None):
    """A veth pair: ``outside`` in the host namespace, ``inside`` in
    ``ns``, both up. A half-made pair (a crash in between) is redone."""
    outside = privileged.interface_name(outside)
    inside = privileged.interface_name(inside)
    ns = _ns(ns)
    if mtu is not None:
        mtu = privileged.integer(mtu, 576, 65535, "MTU")
    if not (_link_exists(outside) and _link_exists(inside, ns)):
        _ip(None, "link", "del", "dev", outside, check=[0, 1, 2])
        _ip(ns, "link", "del", "dev", inside, check=[0, 1, 2])
        privileged.execute("ip", "link", "add", outside, "type", "veth",
                           "peer", "name", inside, "netns", ns)
    for name, where in ((outside, None), (inside, ns)):
        if mtu is not None:
            _ip(where, "link", "set", "dev", name, "mtu", mtu)
        _ip(where, "link", "set", "dev", name, "up")


@ctx.entrypoint
def delete_link(name, ns=None):
    """Delete a link (and a veth's peer with it); idempotent."""
    name = privileged.interface_name(name)
    ns = _ns(ns)
    if _link_exists(name, ns):
        _ip(ns, "link", "del", "dev", name)


@ctx.entrypoint
def set_addresses(name, cidrs, ns=None):
    """Make ``cidrs`` (``10.0.0.1/24`` ...) exactly the IPv4 addresses of
    ``name``."""
    name = privileged.interface_name(name)
    ns = _ns(ns)
    wanted = [privileged.cidr(c) for c in cidrs]
    out, _ = _ip(ns, "-4", "-o", "addr", "show", "dev", name)
    have = [line.split()[3] for line in out.splitlines()
            if len(line.split()) > 3]
    for addr in have:
        if addr not in wanted:
            _ip(ns, "addr", "del", addr, "dev", name)
    for addr in wanted:
        if addr not in have:
            _ip(ns, "addr", "add", addr, "dev", name)


@ctx.entrypoint
def add_address(name, cidr, ns=None):
    name, cidr, ns = (privileged.interface_name(name), privileged.cidr(cidr),
                      _ns(ns))
    _ip(ns, "addr", "replace", cidr, "dev", name)


@ctx.entrypoint
def del_address(name, cidr, ns=None):
    name, cidr, ns = (privileged.interface_name(name), privileged.cidr(cidr),
                      _ns(ns))
    _ip(ns, "addr", "del", cidr, "dev", name, check=[0, 1, 2])


@ctx.entrypoint
def replace_route(dest, via, dev, ns=None):
    """``ip route replace dest [via via] dev dev`` (``dest`` may be
    ``default``)."""
    dest = "default" if dest == "default" else privileged.cidr(dest, True)
    dev, ns = privileged.interface_name(dev), _ns(ns)
    args = ["route", "replace", dest]
    if via is not None:
        args += ["via", privileged.ip_address(via, 4)]
    _ip(ns, *args, "dev", dev)


@ctx.entrypoint
def delete_route(dest, ns=None):
    dest = "default" if dest == "default" else privileged.cidr(dest, True)
    _ip(_ns(ns), "route", "del", dest, check=[0, 2])


# -- Open vSwitch -------------------------------------------------------------

def _vsctl(*args, check=True):
    return privileged.execute("ovs-vsctl", "--timeout=10", *args,
                              check_exit_code=check)


@ctx.entrypoint
def ovs_ensure_bridge(bridge):
    """An OVS bridge with the userspace (``netdev``) datapath, up."""
    bridge = privileged.interface_name(bridge)
    _vsctl("--may-exist", "add-br", bridge, "--", "set", "Bridge", bridge,
           "datapath_type=netdev")
    privileged.execute("ip", "link", "set", "dev", bridge, "up",
                       check_exit_code=[0, 1])


@ctx.entrypoint
def ovs_delete_bridge(bridge):
    _vsctl("--if-exists", "del-br", privileged.interface_name(bridge))


@ctx.entrypoint
def ovs_add_port(bridge, port, tag=None):
    """Put ``port`` on ``bridge``: an access port of VLAN ``tag``, or a
    trunk with no tag."""
    bridge = privileged.interface_name(bridge)
    port = privileged.interface_name(port)
    args = ["--may-exist", "add-port", bridge, port]
    if tag is not None:
        args += ["--", "set", "Port", port, f"tag={privileged.vlan_id(tag)}"]
    else:
        args += ["--", "clear", "Port", port, "tag"]
    _vsctl(*args)


@ctx.entrypoint
def ovs_del_port(bridge, port):
    _vsctl("--if-exists", "del-port", privileged.interface_name(bridge),
           privileged.interface_name(port))


@ctx.entrypoint
def ovs_bridge_exists(bridge):
    out, _ = _vsctl("list-br")
    return privileged.interface_name(bridge) in out.split()


@ctx.entrypoint
def ovs_ofports(bridge):
    """``{interface name: OpenFlow port number}`` of ``bridge``'s ports
    that have one."""
    bridge = privileged.interface_name(bridge)
    out, _ = _vsctl("list-ports", bridge, check=[0, 1])
    names = out.split()
    if not names:
        return {}
    out, _ = _vsctl("-f", "csv", "--no-headings", "--columns=name,ofport",
                    "list", "Interface", *names, check=[0, 1])
    ports = {}
    for line in out.splitlines():
        name, _sep, ofport = line.partition(",")
        name = name.strip('"')
        if ofport.strip().lstrip("-").isdigit() and int(ofport) > 0:
            ports[name] = int(ofport)
    return ports


@ctx.entrypoint
def ovs_replace_flows(bridge, cookie, flows):
    """Atomically replace the flows of ``bridge`` carrying ``cookie`` with
    ``flows`` (one OpenFlow bundle: no moment without a filter)."""
    _replace_flow_sets(bridge, {cookie: flows})


@ctx.entrypoint
def ovs_replace_flow_sets(bridge, flow_sets):
    """:func:`ovs_replace_flows` for several cookies in one bundle
    (``{cookie: [flow, ...]}``)."""
    _replace_flow_sets(bridge, flow_sets)


def _replace_flow_sets(bridge, flow_sets):
    bridge = privileged.interface_name(bridge)
    lines = []
    for cookie, flows in flow_sets.items():
        if not isinstance(cookie, str) or not _COOKIE.match(cookie):
            raise exception.PrivilegedArgumentInvalid(argument="cookie",
                                                      value=repr(cookie))
        lines.append(f"delete cookie={cookie}/-1")
        for flow in flows:
            if not isinstance(flow, str) or not _FLOW.match(flow):
                raise exception.PrivilegedArgumentInvalid(
                    argument="flow", value=repr(flow))
            lines.append(f"add cookie={cookie},{flow}")
    if not lines:
        return
    privileged.execute("ovs-ofctl", "-O", "OpenFlow14", "--bundle",
                       "add-flows", bridge, "-",
                       process_input="\n".join(lines) + "\n")


@ctx.entrypoint
def ovs_dump_flows(bridge):
    out, _ = privileged.execute("ovs-ofctl", "-O", "OpenFlow14",
                                "dump-flows", privileged.interface_name(bridge))
    return out


# -- Linux bridges and VLAN devices --------------------------------------------

@ctx.entrypoint
def bridge_ensure(bridge):
    """A Linux bridge, up (no STP, no forwarding delay)."""
    bridge = privileged.interface_name(bridge)
    if not _link_exists(bridge):
        privileged.execute("ip", "link", "add", bridge, "type", "bridge",
                           "stp_state", "0", "forward_delay", "0")
    privileged.execute("ip", "link", "set", "dev", bridge, "up")


@ctx.entrypoint
def bridge_add_port(bridge, port):
    bridge = privileged.interface_name(bridge)
    port = privileged.interface_name(port)
    privileged.execute("ip", "link", "set", "dev", port, "master", bridge)
    privileged.execute("ip", "link", "set", "dev", port, "up")


@ctx.entrypoint
def vlan_device_ensure(parent, vlan, name):
    """``name``: 802.1Q VLAN ``vlan`` on host NIC ``parent``, up."""
    parent = privileged.interface_name(parent)
    name = privileged.interface_name(name)
    vlan = privileged.vlan_id(vlan)
    if not _link_exists(name):
        privileged.execute("ip", "link", "add", "link", parent, "name", name,
                           "type", "vlan", "id", vlan)
    privileged.execute("ip", "link", "set", "dev", name, "up")


# -- ipset --------------------------------------------------------------------

def _ipset_name(name):
    if not isinstance(name, str) or not _IPSET.match(name):
        raise exception.PrivilegedArgumentInvalid(argument="ipset",
                                                  value=repr(name))
    return name


@ctx.entrypoint
def ipset_ensure(name):
    """Create the IPv4 address set ``name`` (empty) unless it exists."""
    privileged.execute("ipset", "-exist", "create", _ipset_name(name),
                       "hash:ip", "family", "inet")


@ctx.entrypoint
def ipset_replace(name, addresses):
    """Make the set ``name`` hold exactly ``addresses`` (IPv4), in one
    ``ipset restore``: filled aside, then swapped in (atomic)."""
    name = _ipset_name(name)
    aside = _ipset_name(name + "-n")
    lines = [f"create {name} hash:ip family inet -exist",
             f"create {aside} hash:ip family inet -exist",
             f"flush {aside}"]
    lines += [f"add {aside} {privileged.ip_address(a, 4)} -exist"
              for a in addresses]
    lines += [f"swap {aside} {name}", f"destroy {aside}"]
    privileged.execute("ipset", "restore",
                       process_input="\n".join(lines) + "\n")


@ctx.entrypoint
def ipset_destroy(name):
    """Remove the set ``name`` if it exists and no rule refers to it."""
    privileged.execute("ipset", "destroy", _ipset_name(name),
                       check_exit_code=[0, 1])


# -- iptables -----------------------------------------------------------------

def _chain(name):
    if not isinstance(name, str) or not _CHAIN.match(name) \
            or name in _BUILTIN:
        raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                  value=repr(name))
    return name


def _words(rule):
    if not isinstance(rule, (list, tuple)) or not rule:
        raise exception.PrivilegedArgumentInvalid(argument="rule",
                                                  value=repr(rule))
    for word in rule:
        if not isinstance(word, str) or not _IPT_WORD.match(word):
            raise exception.PrivilegedArgumentInvalid(argument="rule word",
                                                      value=repr(word))
    return list(rule)


def _table(table):
    if table not in _TABLES:
        raise exception.PrivilegedArgumentInvalid(argument="table",
                                                  value=repr(table))
    return table


@ctx.entrypoint
def iptables_replace(ns, table, chains, jumps=(), family=4):
    """Make each chain of ``chains`` (``{name: [rule words, ...]}``) hold
    exactly its rules, in one ``iptables-restore --noflush`` (atomic), and
    make sure each jump ``(builtin chain, [match words], chain[, first])``
    is in place: inserted at the top of the built-in chain, or appended
    when ``first`` is False.

    Only chains named here are touched; other chains keep their rules.
    ``family`` 6: the same with ``ip6tables``.
    """
    tool = _tool(family)
    ns = _ns(ns)
    table = _table(table)
    lines = [f"*{table}"]
    checked = {_chain(name): [_words(r) for r in rules]
               for name, rules in chains.items()}
    for name in checked:
        lines.append(f":{name} - [0:0]")
    for name, rules in checked.items():
        for words in rules:
            lines.append(" ".join(["-A", name] + words))
    lines.append("COMMIT")
    privileged.execute(*_in_ns(ns, tool + "-restore", "-w", "--noflush"),
                       process_input="\n".join(lines) + "\n")
    for jump in jumps:
        builtin, match, target = jump[:3]
        first = jump[3] if len(jump) > 3 else True
        if builtin not in _BUILTIN:
            raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                      value=repr(builtin))
        spec = [*(_words(match) if match else []), "-j", _chain(target)]
        if not _iptables_has(ns, table, builtin, spec, tool):
            where = ["-I", builtin, "1"] if first else ["-A", builtin]
            privileged.execute(*_in_ns(ns, tool, "-w", "-t", table,
                                       *where, *spec))


def _tool(family):
    if family not in (4, 6):
        raise exception.PrivilegedArgumentInvalid(argument="family",
                                                  value=repr(family))
    return "iptables" if family == 4 else "ip6tables"


def _iptables_has(ns, table, builtin, spec, tool="iptables"):
    try:
        privileged.execute(*_in_ns(ns, tool, "-w", "-t", table, "-C",
                                   builtin, *spec))
    except exception.PrivilegedCommandFailed:
        return False
    return True


@ctx.entrypoint
def iptables_remove(ns, table, chains, jumps=(), family=4):
    """Remove the ``jumps`` and then the ``chains`` (idempotent)."""
    tool = _tool(family)
    ns = _ns(ns)
    table = _table(table)
    for jump in jumps:
        builtin, match, target = jump[:3]
        if builtin not in _BUILTIN:
            raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                      value=repr(builtin))
        spec = [*(_words(match) if match else []), "-j", _chain(target)]
        while _iptables_has(ns, table, builtin, spec, tool):
            privileged.execute(*_in_ns(ns, tool, "-w", "-t", table,
                                       "-D", builtin, *spec))
    names = [_chain(n) for n in chains]
    for name in names:  # drop references between our chains first
        privileged.execute(*_in_ns(ns, tool, "-w", "-t", table, "-F",
                                   name), check_exit_code=[0, 1])
    for name in names:
        privileged.execute(*_in_ns(ns, tool, "-w", "-t", table, "-X",
                                   name), check_exit_code=[0, 1])


@ctx.entrypoint
def iptables_save(ns, table):
    out, _ = privileged.execute(*_in_ns(_ns(ns), "iptables-save", "-t",
                                        _table(table)))
    return out


@ctx.entrypoint
def iptables_rule_add(ns, table, chain, rule):
    """Append ``rule`` to ``chain`` unless it is there already."""
    ns, table, chain, words = _ns(ns), _table(table), _chain(chain), \
        _words(rule)
    if not _iptables_has(ns, table, chain, words):
        privileged.execute(*_in_ns(ns, "iptables", "-w", "-t", table, "-A",
                                   chain, *words))


@ctx.entrypoint
def iptables_rule_delete(ns, table, chain, rule):
    """Delete ``rule`` from ``chain`` (every copy; idempotent)."""
    ns, table, chain, words = _ns(ns), _table(table), _chain(chain), \
        _words(rule)
    while _iptables_has(ns, table, chain, words):
        privileged.execute(*_in_ns(ns, "iptables", "-w", "-t", table, "-D",
                                   chain, *words))


# -- dnsmasq --------------------------------------------------------------------

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
    ns = _ns(ns)
    netdir = privileged.path_under(netdir, "/")
    interface = privileged.interface_name(interface)
    gateway = privileged.ip_address(gateway, 4)
    netmask = privileged.ip_address(netmask, 4)
    range_start = privileged.ip_address(range_start, 4)
    lease_time = privileged.integer(lease_time, 120, 2 ** 31, "lease time")
    dns = [privileged.ip_address(d, 4) for d in dns_servers]
    argv = dnsmasq_argv(netdir, interface, gateway, netmask, range_start,
                        lease_time, dns, mtu, domain)
    privileged.execute(*_in_ns(ns, *argv))
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
