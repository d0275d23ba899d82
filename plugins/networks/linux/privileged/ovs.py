"""The Open vSwitch entrypoints: bridges and ports (``ovs-vsctl``) and
OpenFlow flows (``ovs-ofctl``).
"""

import re

from nimbus.core import exception, privileged

ctx = privileged.context

# OpenFlow flow texts are built by this package from validated values;
# these patterns make sure no line break, shell or option-file syntax can
# slip through even so.
_FLOW = re.compile(r"^[A-Za-z0-9_=,.:/()+ *\[\]>-]{1,4096}$")
_COOKIE = re.compile(r"^0x[0-9a-f]{1,16}$")


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
