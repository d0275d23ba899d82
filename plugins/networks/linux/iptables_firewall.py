"""Security groups of the ``linuxbridge`` backend: iptables chains per
port in the host's filter table, seeing bridged frames through bridge
netfilter (``physdev``), the way nova-network filtered instances.
Pure functions: chains as ``{name: [rule words]}``.

``<prefix>-sg`` is jumped to from ``FORWARD`` for bridged traffic. It
sends a guest's outgoing frames through its anti-spoofing chain, then its
egress rules (both ``RETURN`` what they allow, so the receiving guest's
ingress chain still sees the packet), then frames to a guest through its
ingress chain, then accepts what left a guest and passed.
"""

from nimbus.plugins.networks.linux import names

_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "6": "tcp",
              "17": "udp", "1": "icmp"}


def top_chain(prefix):
    return f"{prefix}-sg"


def port_chains(prefix, port_id):
    """``(anti-spoofing, egress rules, ingress rules)`` chain names."""
    cid = names.chain_id(port_id)
    return f"{prefix}-s{cid}", f"{prefix}-o{cid}", f"{prefix}-i{cid}"


def _rule_words(prefix, rule):
    if rule.ethertype != "IPv4":
        return None
    words = []
    proto = rule.protocol
    if proto is not None and str(proto).lower() not in ("any", ""):
        words += ["-p", _PROTOCOLS.get(str(proto).lower(), str(proto))]
    if rule.remote_cidr:
        words += ["-d" if rule.direction == "egress" else "-s",
                  rule.remote_cidr]
    if words[1:2] in (["tcp"], ["udp"]) and rule.port_range_min is not None:
        high = rule.port_range_max or rule.port_range_min
        words += ["--dport", f"{rule.port_range_min}:{high}"]
    elif words[1:2] == ["icmp"] and rule.port_range_min is not None:
        icmp = str(rule.port_range_min)
        if rule.port_range_max is not None:
            icmp += f"/{rule.port_range_max}"
        words += ["--icmp-type", icmp]
    if rule.remote_group_id and not rule.remote_cidr:
        words += ["-m", "set", "--match-set",
                  names.ipset(prefix, rule.remote_group_id),
                  "dst" if rule.direction == "egress" else "src"]
    return words


def port_rules(prefix, port_filter):
    """The three chains of one port."""
    port = port_filter.port
    spoof, egress, ingress = port_chains(prefix, port.id)
    state = ["-m", "state", "--state"]
    spoof_rules = [["-m", "mac", "!", "--mac-source", port.mac.lower(),
                    "-j", "DROP"],
                   ["-s", "0.0.0.0/32", "-p", "udp", "--sport", "68",
                    "--dport", "67", "-j", "RETURN"]]
    spoof_rules += [["-s", f"{ip}/32", "-j", "RETURN"]
                    for ip in port.fixed_ips]
    spoof_rules.append(["-j", "DROP"])
    out = [state + ["INVALID", "-j", "DROP"],
           state + ["RELATED,ESTABLISHED", "-j", "RETURN"],
           ["-p", "udp", "--sport", "68", "--dport", "67", "-j", "RETURN"]]
    inn = [state + ["INVALID", "-j", "DROP"],
           state + ["RELATED,ESTABLISHED", "-j", "ACCEPT"],
           ["-p", "udp", "--sport", "67", "--dport", "68", "-j", "ACCEPT"]]
    for rule in port_filter.rules:
        words = _rule_words(prefix, rule)
        if words is None:
            continue
        if rule.direction == "egress":
            out.append(words + ["-j", "RETURN"])
        else:
            inn.append(words + ["-j", "ACCEPT"])
    out.append(["-j", "DROP"])
    inn.append(["-j", "DROP"])
    return {spoof: spoof_rules, egress: out, ingress: inn}


def top_rules(prefix, port_ids):
    """The ``<prefix>-sg`` chain for the ports filtered on this host."""
    rules = []
    for pid in sorted(port_ids):
        spoof, egress, _ingress = port_chains(prefix, pid)
        for chain in (spoof, egress):
            rules.append(["-m", "physdev", "--physdev-in", names.tap(pid),
                          "--physdev-is-bridged", "-j", chain])
    for pid in sorted(port_ids):
        _spoof, _egress, ingress = port_chains(prefix, pid)
        rules.append(["-m", "physdev", "--physdev-out", names.tap(pid),
                      "--physdev-is-bridged", "-j", ingress])
    for pid in sorted(port_ids):
        rules.append(["-m", "physdev", "--physdev-in", names.tap(pid),
                      "--physdev-is-bridged", "-j", "ACCEPT"])
    return {top_chain(prefix): rules}


def top_chain6(prefix):
    return f"{prefix}-sg6"


def top_rules6(prefix, port_ids):
    """The ``<prefix>-sg6`` chain of ``ip6tables``: no IPv6 to or from a
    filtered guest (nimbus's networks and rules are IPv4; IPv6 rules are
    refused), so nothing passes that no rule allowed."""
    rules = []
    for pid in sorted(port_ids):
        for side in ("--physdev-in", "--physdev-out"):
            rules.append(["-m", "physdev", side, names.tap(pid),
                          "--physdev-is-bridged", "-j", "DROP"])
    return {top_chain6(prefix): rules}


def forward_jump6(prefix):
    """The one rule in the host's ``ip6tables`` ``FORWARD`` chain."""
    return ("FORWARD", ["-m", "physdev", "--physdev-is-bridged"],
            top_chain6(prefix))


def forward_jump(prefix):
    """The one rule in the host's ``FORWARD`` chain."""
    return ("FORWARD", ["-m", "physdev", "--physdev-is-bridged"],
            top_chain(prefix))
