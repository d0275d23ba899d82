"""Security groups as OpenFlow rules with connection tracking, on each
bridge guests plug into (the design of Neutron's ``openvswitch``
firewall, reduced to IPv4). Pure functions: flows as text.

Tables:

* 0: a filtered guest's port goes to 1; the bridge's own ports (gateway
  links, uplinks, ``LOCAL``: every port not named like a guest tap) go
  to 3; anything else is dropped. A guest's tap is thus dropped from the
  moment libvirt plugs it until its flows go in (its DHCP discovery
  excepted, matched by its MAC).
* 1: egress anti-spoofing: ARP and IPv4 only from the port's MAC and
  fixed IPs (and DHCP discovery from 0.0.0.0); IPv4 enters conntrack in
  the port's zone; anything else is dropped.
* 2: egress rules on the tracked packet: replies and related pass, new
  flows pass only if a rule allows them (and are committed).
* 3: IPv4 to a filtered guest's MAC enters conntrack in its zone and goes
  to 4; everything else is switched (``NORMAL``).
* 4: ingress rules, like 2.

A port's zone is its OpenFlow port number, so a guest's own replies are
recognised in both directions. Tables 0 and 3 also load it into
:data:`ZONE_REG` for the flows shared by many ports.

Remote groups (contract 1.1) are conjunctive matches, one conjunction
per group and direction (:func:`conj_id`): each port's rule naming the
group is clause 1 (the port and the protocol), each member address is
clause 2 in a flow of its own shared by every port
(:func:`member_flows`), and the conjunction's flow commits the
connection in the zone :data:`ZONE_REG` holds (:func:`group_flows`). A
server joining or leaving a group changes one flow per table on each
bridge, whatever the number of ports whose rules name the group.
"""

import hashlib

from nimbus.core import exception

_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "6": "tcp",
              "17": "udp", "1": "icmp"}


#: the register holding the conntrack zone of the port a packet is for.
ZONE_REG = "NXM_NX_REG6[0..15]"
#: priority of conjunctive (remote group) flows: below the plain rules,
#: above each port's final drop.
CONJ_PRIORITY = 40


def base_flows():
    return ["table=0,priority=1,actions=drop",
            "table=0,priority=5,in_port=LOCAL,actions=resubmit(,3)",
            "table=3,priority=0,actions=NORMAL"]


def trusted_flows(ofports):
    """Table 0 flows letting the bridge's own ports (OpenFlow numbers
    ``ofports``) through unfiltered."""
    return [f"table=0,priority=5,in_port={n},actions=resubmit(,3)"
            for n in sorted(ofports)]


def conj_id(group_id, direction):
    """The conjunction id of remote group ``group_id`` in ``direction``
    (the same on every host and after every restart)."""
    digest = hashlib.sha1(f"{direction}:{group_id}".encode()).hexdigest()
    return int(digest[:8], 16) or 1


def group_flows(group_id):
    """The flows a packet takes once it matched both clauses of the
    group's conjunction: commit in the port's zone and go on."""
    zone = f"zone={ZONE_REG}"
    return [f"table=4,priority={CONJ_PRIORITY},conj_id="
            f"{conj_id(group_id, 'ingress')},ip,"
            f"actions=ct(commit,{zone}),NORMAL",
            f"table=2,priority={CONJ_PRIORITY},conj_id="
            f"{conj_id(group_id, 'egress')},ip,"
            f"actions=ct(commit,{zone}),resubmit(,3)"]


def member_flows(address, group_ids):
    """Clause 2 of the conjunction of every group ``address`` is a member
    of (one flow per table: an address is one match); ``[]`` when it is
    in none."""
    if not group_ids:
        return []
    ingress = ",".join(f"conjunction({c},2/2)" for c in sorted(
        conj_id(g, "ingress") for g in group_ids))
    egress = ",".join(f"conjunction({c},2/2)" for c in sorted(
        conj_id(g, "egress") for g in group_ids))
    return [f"table=4,priority={CONJ_PRIORITY},ip,nw_src={address},"
            f"actions={ingress}",
            f"table=2,priority={CONJ_PRIORITY},ip,nw_dst={address},"
            f"actions={egress}"]


def port_masks(low, high):
    """Cover the port range ``[low, high]`` with ``value/mask`` terms."""
    result = []
    while low <= high:
        size = 1
        while low % (size * 2) == 0 and low + size * 2 - 1 <= high \
                and size < 65536:
            size *= 2
        if size == 1:
            result.append(str(low))
        else:
            result.append(f"0x{low:04x}/0x{(0xffff ^ (size - 1)):04x}")
        low += size
    return result


def rule_matches(rule, direction):
    """The OpenFlow matches (a list: port ranges may need several) of one
    :class:`~nimbus.core.interfaces.network.FirewallRule`; ``[]`` when the
    rule cannot apply (IPv6)."""
    if rule.ethertype != "IPv4":
        return []
    base = ["ip"]
    protocol = rule.protocol
    if protocol is not None and str(protocol).lower() not in ("any", ""):
        proto = _PROTOCOLS.get(str(protocol).lower())
        if proto is None:
            if not str(protocol).isdigit() or not 0 <= int(protocol) <= 255:
                raise exception.NetworkPluginError(
                    reason=f"unsupported protocol {protocol!r}")
            base = ["ip", f"nw_proto={int(protocol)}"]
        else:
            base = [proto]
    if rule.remote_cidr:
        base.append(("nw_dst=" if direction == "egress" else "nw_src=")
                    + rule.remote_cidr)
    if base[0] in ("tcp", "udp") and (rule.port_range_min is not None
                                      or rule.port_range_max is not None):
        low = rule.port_range_min or 1
        high = rule.port_range_max or low
        return [",".join(base + [f"tp_dst={m}"])
                for m in port_masks(low, high)]
    if base[0] == "icmp":
        if rule.port_range_min is not None:
            base.append(f"icmp_type={rule.port_range_min}")
            if rule.port_range_max is not None:
                base.append(f"icmp_code={rule.port_range_max}")
    return [",".join(base)]


def ingress_flows(mac, zone, rules):
    """Flows guarding traffic to the guest with ``mac`` (tables 3, 4)."""
    to = f"dl_dst={mac}"
    flows = [f"table=3,priority=100,ip,{to},actions=load:{zone}->"
             f"{ZONE_REG},ct(table=4,zone={zone})",
             # No IPv6 reaches a filtered guest (nimbus's networks and
             # rules are IPv4; IPv6 rules are refused).
             f"table=3,priority=100,ipv6,{to},actions=drop",
             f"table=4,priority=110,ct_state=+inv+trk,{to},actions=drop",
             f"table=4,priority=100,ct_state=-new+est+trk,{to},"
             "actions=NORMAL",
             f"table=4,priority=100,ct_state=-new+rel+trk,{to},"
             "actions=NORMAL",
             # DHCP offers and acks from the network's server.
             f"table=4,priority=90,ct_state=+new+trk,udp,{to},tp_src=67,"
             f"tp_dst=68,actions=ct(commit,zone={zone}),NORMAL"]
    conj = {}
    for rule in rules:
        if rule.direction != "ingress":
            continue
        for match in rule_matches(rule, "ingress"):
            head = f"table=4,priority=50,ct_state=+new+trk,{match},{to}"
            if rule.remote_group_id is None:
                flows.append(f"{head},actions=ct(commit,zone={zone}),NORMAL")
            else:
                conj.setdefault(head.replace(
                    "priority=50", f"priority={CONJ_PRIORITY}"), set()).add(
                    conj_id(rule.remote_group_id, "ingress"))
    flows += _clause_one(conj)
    flows.append(f"table=4,priority=10,{to},actions=drop")
    return flows


def _clause_one(conj):
    """Clause-1 flows: one per match, with every conjunction it is in."""
    return [head + ",actions=" + ",".join(
        f"conjunction({c},1/2)" for c in sorted(ids))
        for head, ids in sorted(conj.items())]


def egress_flows(ofport, mac, ips, zone, rules):
    """Flows guarding traffic from the guest on ``ofport`` (tables 0-2)."""
    port = f"in_port={ofport}"
    flows = [f"table=0,priority=100,{port},actions=load:{zone}->"
             f"{ZONE_REG},resubmit(,1)",
             f"table=1,priority=100,{port},udp,dl_src={mac},"
             "nw_src=0.0.0.0,tp_src=68,tp_dst=67,actions=resubmit(,3)"]
    for ip in ips:
        flows += [
            f"table=1,priority=100,{port},arp,dl_src={mac},arp_sha={mac},"
            f"arp_spa={ip},actions=resubmit(,3)",
            f"table=1,priority=90,{port},ip,dl_src={mac},nw_src={ip},"
            f"actions=ct(table=2,zone={zone})"]
    flows += [
        f"table=1,priority=10,{port},actions=drop",
        f"table=2,priority=110,{port},ct_state=+inv+trk,actions=drop",
        f"table=2,priority=100,{port},ct_state=-new+est+trk,"
        "actions=resubmit(,3)",
        f"table=2,priority=100,{port},ct_state=-new+rel+trk,"
        "actions=resubmit(,3)",
        # DHCP renewals to the server.
        f"table=2,priority=90,{port},ct_state=+new+trk,udp,tp_src=68,"
        f"tp_dst=67,actions=ct(commit,zone={zone}),resubmit(,3)"]
    conj = {}
    for rule in rules:
        if rule.direction != "egress":
            continue
        for match in rule_matches(rule, "egress"):
            head = f"table=2,priority=50,{port},ct_state=+new+trk,{match}"
            if rule.remote_group_id is None:
                flows.append(f"{head},actions=ct(commit,zone={zone}),"
                             "resubmit(,3)")
            else:
                conj.setdefault(head.replace(
                    "priority=50", f"priority={CONJ_PRIORITY}"), set()).add(
                    conj_id(rule.remote_group_id, "egress"))
    flows += _clause_one(conj)
    flows.append(f"table=2,priority=10,{port},actions=drop")
    return flows


def port_flows(ofport, port_filter):
    """All flows of one filtered port; without an OpenFlow port number
    yet (the guest's tap is not on the bridge) only the ingress half."""
    port = port_filter.port
    mac = port.mac.lower()
    zone = ofport or 0
    if ofport is None:
        # Until the tap is on the bridge table 0 drops what comes from it
        # (but its DHCP discovery); traffic to it is dropped too rather
        # than let through unfiltered.
        return [f"table=3,priority=100,dl_dst={mac},actions=drop",
                f"table=0,priority=50,udp,dl_src={mac},nw_src=0.0.0.0,"
                "tp_src=68,tp_dst=67,actions=resubmit(,3)"]
    return (egress_flows(ofport, mac, port.fixed_ips, zone,
                         port_filter.rules)
            + ingress_flows(mac, zone, port_filter.rules))
