"""``addresses`` of servers, from their VIF dicts (net-design's
``network_info`` entries: ``mac``, ``network`` with its ``name``,
``fixed_ips``, ``floating_ips`` by fixed address)."""


def _entry(address, kind, mac, extended):
    entry = {"version": 6 if ":" in address else 4, "addr": address}
    if extended:
        entry["OS-EXT-IPS:type"] = kind
        entry["OS-EXT-IPS-MAC:mac_addr"] = mac
    return entry


def addresses(vifs, extended=True):
    """Nova's ``{network name: [{"version", "addr", ...}]}``: per VIF in
    device order, each fixed address followed by its floating ones.

    :param extended: add ``OS-EXT-IPS:type`` and
        ``OS-EXT-IPS-MAC:mac_addr`` (server bodies do; ``/ips`` does not,
        as in Nova).
    """
    result = {}
    for vif in vifs or ():
        label = (vif.get("network") or {}).get("name") or \
            (vif.get("network") or {}).get("id")
        entries = result.setdefault(label, [])
        floating = vif.get("floating_ips") or {}
        for fixed in vif.get("fixed_ips") or ():
            entries.append(_entry(fixed, "fixed", vif.get("mac"), extended))
            for address in floating.get(fixed, ()):
                entries.append(_entry(address, "floating", vif.get("mac"),
                                      extended))
    return result
