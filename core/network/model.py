"""The VIF dict nimbus records per server and ships to computes, and its
conversion to the plugin contract's specs.

A VIF dict (one "network_info" entry) is plain JSON so it crosses RPC and
survives a release::

    {"id": port uuid, "mac": "fa:16:3e:..",
     "network": {NetworkSpec fields},
     "fixed_ips": ["10.0.0.3"],
     "floating_ips": {"10.0.0.3": ["172.24.4.10"]},
     "rules": [{FirewallRule fields}, ...],
     "remote_groups": {group uuid: [member address, ...]} of the groups
         the rules name (network RPC 1.1 callers asking for them),
     "host": the gateway host serving it,
     "instance_uuid": ..., "hostname": ...}

Readers ignore keys they do not know (a newer sender may add some), and
:func:`to_specs` ignores spec fields the running contract lacks.
"""

import dataclasses

from nimbus.core.interfaces import network as net_iface

_NETWORK_FIELDS = {f.name for f in dataclasses.fields(net_iface.NetworkSpec)}
_RULE_FIELDS = {f.name for f in dataclasses.fields(net_iface.FirewallRule)}


def network_dict(network, metadata_host=None, metadata_port=None):
    """The NetworkSpec fields of a network record (as the service API
    returns it: ``id`` is its uuid)."""
    return {
        "id": network["id"], "name": network["name"],
        "cidr": network["cidr"], "gateway": network.get("gateway"),
        "bridge": network.get("bridge") or "",
        "vlan": network.get("vlan"),
        "bridge_interface": network.get("bridge_interface"),
        "mtu": network.get("mtu"),
        "dns_servers": list(network.get("dns_servers") or []),
        "dhcp_enabled": bool(network.get("dhcp_enabled", True)),
        "allocation_start": network.get("allocation_start"),
        "allocation_end": network.get("allocation_end"),
        "project_id": network.get("project_id"),
        "multi_host": bool(network.get("multi_host")),
        "external": bool(network.get("external")),
        "metadata_host": metadata_host, "metadata_port": metadata_port,
    }


def network_spec(values):
    """A :class:`NetworkSpec` from its dict (unknown keys ignored)."""
    return net_iface.NetworkSpec(**{k: v for k, v in values.items()
                                    if k in _NETWORK_FIELDS})


def row_port_spec(row):
    """The :class:`PortSpec` of a ``ports`` row (its ``fixed_ips`` when
    the row carries them, as a port just made does)."""
    return net_iface.PortSpec(
        id=row["uuid"], network_id=row["network_id"],
        mac=row["mac_address"], fixed_ips=list(row.get("fixed_ips") or []),
        instance_uuid=row.get("instance_uuid"), hostname=row.get("dns_name"))


def port_spec(vif):
    """The :class:`PortSpec` of a VIF dict."""
    return net_iface.PortSpec(
        id=vif["id"], network_id=vif["network"]["id"], mac=vif["mac"],
        fixed_ips=list(vif.get("fixed_ips") or []),
        instance_uuid=vif.get("instance_uuid"),
        hostname=vif.get("hostname"))


def firewall_rule(values):
    """A :class:`FirewallRule` from its dict (unknown keys ignored)."""
    return net_iface.FirewallRule(**{k: v for k, v in values.items()
                                     if k in _RULE_FIELDS})


def to_specs(vif):
    """``(NetworkSpec, PortSpec, PortFilter)`` of a VIF dict: what
    ``plug_vif`` and ``set_port_filter`` take."""
    port = port_spec(vif)
    rules = [firewall_rule(r) for r in vif.get("rules") or []]
    return (network_spec(vif["network"]), port,
            net_iface.PortFilter(port=port, rules=rules))


def addresses(vifs):
    """The ``addresses`` of a server view: ``{network name: [{"addr",
    "version", "OS-EXT-IPS:type", "OS-EXT-IPS-MAC:mac_addr"}]}``, fixed
    addresses first, each followed by its floating ones."""
    result = {}
    for vif in vifs or []:
        entries = result.setdefault(vif["network"]["name"], [])
        floating = vif.get("floating_ips") or {}
        for fixed in vif.get("fixed_ips") or []:
            entries.append(_entry(fixed, "fixed", vif["mac"]))
            for address in floating.get(fixed, []):
                entries.append(_entry(address, "floating", vif["mac"]))
    return result


def _entry(address, kind, mac):
    return {"addr": address, "version": 6 if ":" in address else 4,
            "OS-EXT-IPS:type": kind, "OS-EXT-IPS-MAC:mac_addr": mac}


def port_filter_dict(vif):
    """The ``{"network", "port", "rules"}`` dict compute's
    ``refresh_port_filters`` takes, from a VIF dict."""
    return {"network": vif["network"], "port": {
        "id": vif["id"], "mac": vif["mac"],
        "fixed_ips": list(vif.get("fixed_ips") or []),
        "instance_uuid": vif.get("instance_uuid"),
        "hostname": vif.get("hostname")},
        "rules": list(vif.get("rules") or [])}


def from_port_filter_dict(values):
    """``(NetworkSpec, PortSpec, PortFilter)`` of a
    :func:`port_filter_dict`."""
    port = values["port"]
    vif = {"id": port["id"], "mac": port["mac"],
           "network": values["network"],
           "fixed_ips": port.get("fixed_ips") or [],
           "instance_uuid": port.get("instance_uuid"),
           "hostname": port.get("hostname"),
           "rules": values.get("rules") or []}
    return to_specs(vif)
