"""Networking v2 bodies (Neutron's shapes) from the service API's dicts.

Every list attribute stock clients iterate (``subnets``,
``allocation_pools``, ``dns_nameservers``, ``host_routes``,
``security_group_rules``, ``fixed_ips``, ``tags``) is always a list, never
null: OSC's formatters crash on null. ``tenant_id`` repeats
``project_id`` as Neutron still does.
"""

import datetime

#: Neutron's fixed answers for features nimbus does not have: one
#: availability zone, and one physical network (the L2 the network
#: plugin bridges, whatever its name on the host).
AVAILABILITY_ZONE = "nova"
PHYSICAL_NETWORK = "physnet1"


def timestamp(value):
    """``YYYY-MM-DDTHH:MM:SSZ`` as Neutron writes times (or None)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _common(record):
    project = record.get("project_id") or ""
    return {"project_id": project, "tenant_id": project,
            "description": record.get("description") or "",
            "tags": [], "revision_number": 0,
            "created_at": timestamp(record.get("created_at")),
            "updated_at": timestamp(record.get("updated_at")
                                    or record.get("created_at"))}


def network(record, provider=True):
    """A network; ``provider``: show the ``provider:*`` attributes
    (Neutron shows them to administrators only)."""
    body = {
        "id": record["id"], "name": record.get("name") or "",
        "admin_state_up": True, "status": record.get("status", "ACTIVE"),
        "shared": bool(record.get("shared")),
        "router:external": bool(record.get("external")),
        "subnets": [record["subnet_id"]] if has_subnet(record) else [],
        "mtu": record.get("mtu") or 1500,
        "availability_zone_hints": [],
        "availability_zones": [AVAILABILITY_ZONE],
        "ipv4_address_scope": None, "ipv6_address_scope": None,
        "port_security_enabled": True, "is_default": False,
        "l2_adjacency": True, "qos_policy_id": None,
        **_common(record),
    }
    if provider:
        vlan = record.get("vlan")
        body["provider:network_type"] = "vlan" if vlan is not None \
            else "flat"
        body["provider:physical_network"] = PHYSICAL_NETWORK
        body["provider:segmentation_id"] = vlan
        # nova-network's multi_host (a nimbus extension, shown with the
        # provider attributes: where the gateway side runs is the
        # operator's business).
        body["multi_host"] = bool(record.get("multi_host"))
    return body


def has_subnet(record):
    """Whether a network has its subnet (a CIDR) yet."""
    return bool(record.get("cidr")) and bool(record.get("subnet_id"))


def subnet(record):
    """The one subnet of a network (``record`` is the network)."""
    pools = []
    if record.get("allocation_start") and record.get("allocation_end"):
        pools = [{"start": record["allocation_start"],
                  "end": record["allocation_end"]}]
    return {
        "id": record["subnet_id"], "name": record.get("subnet_name") or "",
        "network_id": record["id"], "ip_version": 4,
        "cidr": record["cidr"], "gateway_ip": record.get("gateway"),
        "allocation_pools": pools,
        "dns_nameservers": list(record.get("dns_servers") or []),
        "host_routes": [], "enable_dhcp": bool(record.get("dhcp_enabled",
                                                          True)),
        "ipv6_ra_mode": None, "ipv6_address_mode": None,
        "subnetpool_id": None, "segment_id": None, "service_types": [],
        "dns_publish_fixed_ip": False,
        **_common(record), "description": "",
    }


def port(record, binding=True):
    """A port; ``binding``: show ``binding:host_id`` (administrators)."""
    body = {
        "id": record["id"], "name": record.get("name") or "",
        "network_id": record["network_id"],
        "mac_address": record["mac_address"], "admin_state_up": True,
        "status": record.get("status") or "DOWN",
        "device_id": record.get("device_id") or "",
        "device_owner": record.get("device_owner") or "",
        "fixed_ips": [{"subnet_id": ip.get("subnet_id"),
                       "ip_address": ip["ip_address"]}
                      for ip in record.get("fixed_ips") or ()],
        "security_groups": list(record.get("security_groups") or ()),
        "allowed_address_pairs": [], "extra_dhcp_opts": [],
        "port_security_enabled": True, "binding:vnic_type": "normal",
        "dns_name": "", "dns_assignment": [], "qos_policy_id": None,
        **_common(record),
    }
    if binding:
        body["binding:host_id"] = record.get("host") or ""
        body["binding:vif_type"] = "ovs" if record.get("host") \
            else "unbound"
        body["binding:vif_details"] = {}
        body["binding:profile"] = {}
    return body


def security_group_rule(record):
    return {
        "id": record["id"],
        "security_group_id": record["security_group_id"],
        "direction": record["direction"],
        "ethertype": record.get("ethertype") or "IPv4",
        "protocol": record.get("protocol"),
        "port_range_min": record.get("port_range_min"),
        "port_range_max": record.get("port_range_max"),
        "remote_ip_prefix": record.get("remote_ip_prefix"),
        "remote_group_id": record.get("remote_group_id"),
        "remote_address_group_id": None,
        "normalized_cidr": record.get("remote_ip_prefix"),
        **_common(record),
    }


def security_group(record):
    return {
        "id": record["id"], "name": record.get("name") or "",
        "security_group_rules": [
            security_group_rule(rule)
            for rule in record.get("security_group_rules") or ()],
        "stateful": True, "shared": False,
        **_common(record),
    }


def floating_ip(record):
    return {
        "id": record["id"],
        "floating_ip_address": record["floating_ip_address"],
        "floating_network_id": record["floating_network_id"],
        "router_id": record.get("router_id"),
        "port_id": record.get("port_id"),
        "fixed_ip_address": record.get("fixed_ip_address"),
        "status": record.get("status") or "DOWN",
        "port_details": None, "port_forwardings": [],
        "dns_domain": "", "dns_name": "", "qos_policy_id": None,
        **_common(record),
    }


def versions(base):
    """``GET /network``: the one API version, as Neutron lists it."""
    return {"versions": [{
        "id": "v2.0", "status": "CURRENT",
        "links": [{"rel": "self", "href": base + "/network/v2.0/"}]}]}


RESOURCES = (("network", "networks"), ("subnet", "subnets"),
             ("port", "ports"), ("security_group", "security-groups"),
             ("security_group_rule", "security-group-rules"),
             ("floatingip", "floatingips"), ("quota", "quotas"))


def resources(base):
    """``GET /network/v2.0``: the collections served."""
    return {"resources": [{
        "name": name, "collection": path.replace("-", "_"),
        "links": [{"rel": "self",
                   "href": f"{base}/network/v2.0/{path}"}]}
        for name, path in RESOURCES]}


#: Neutron API extensions nimbus implements (``GET /v2.0/extensions``):
#: clients probe these before using the features.
EXTENSIONS = (
    ("external-net", "Neutron external network",
     "router:external marks a floating IP pool"),
    ("provider", "Provider Network", "provider:* of VLAN networks"),
    ("security-group", "security-group", "Security groups and rules"),
    ("quotas", "Quota management support", "Per-project network quotas"),
    ("quota_details", "Quota details management support",
     "Quota limits with usage"),
    ("quota-check-limit", "Quota engine limit check",
     "check_limit refuses a limit below usage"),
    ("binding", "Port Binding", "binding:host_id of ports"),
    ("project-id", "project_id field enabled",
     "project_id beside tenant_id"),
    ("standard-attr-timestamp", "Resource timestamps",
     "created_at and updated_at"),
    ("filter-validation", "Filter parameters validation",
     "Unknown filters are rejected"),
    ("sorting", "Sorting support", "sort_key and sort_dir"),
    ("pagination", "Pagination support", "limit, marker, page_reverse"),
)


def extension(alias, name, description):
    return {"alias": alias, "name": name, "description": description,
            "updated": "2026-11-30T00:00:00Z", "links": []}
