"""Records -> the dicts the network service hands out.

Shared by the service API (for the dialects) and nimbus-network (for
computes and the plugin): network, port, security-group, rule and
floating-IP dicts with the keys of ``docs`` (net-design), and the VIF
dicts of :mod:`nimbus.core.network.model` with each port's firewall
rules: for a compute of network RPC 1.1 and later, rules naming a remote
group keep its id and the VIF carries the group's member addresses
(``remote_groups``); for older ones each such rule is resolved to one
rule per member address. Reads go through the database API handle passed
in.
"""

import contextlib

from nimbus.core.network import model

#: Only IPv4 is served: rules of other ethertypes never reach plugins.
SERVED_ETHERTYPES = ("IPv4",)


def network_view(row):
    """The service API's network dict of a ``networks`` row."""
    return {
        "id": row["uuid"], "name": row["name"],
        "project_id": row["project_id"], "shared": bool(row["shared"]),
        "external": bool(row["external"]), "cidr": row["cidr"],
        "gateway": row["gateway"], "vlan": row["vlan"],
        "bridge": row["bridge"], "bridge_interface": row["bridge_interface"],
        "mtu": row["mtu"], "dhcp_enabled": bool(row["dhcp_enabled"]),
        "allocation_start": row["allocation_start"],
        "allocation_end": row["allocation_end"],
        "dns_servers": list(row["dns_servers"] or []),
        "multi_host": bool(row["multi_host"]), "host": row["host"],
        "subnet_id": row["subnet_uuid"],
        "subnet_name": row.get("subnet_name") or "",
        "status": "ACTIVE", "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def rule_view(row):
    return {
        "id": row["uuid"], "security_group_id": row["security_group_id"],
        "direction": row["direction"], "ethertype": row["ethertype"],
        "protocol": row["protocol"],
        "port_range_min": row["port_range_min"],
        "port_range_max": row["port_range_max"],
        "remote_ip_prefix": row["remote_ip_prefix"],
        "remote_group_id": row["remote_group_id"],
        "project_id": row["project_id"],
        "description": row.get("description") or "",
        "created_at": row["created_at"],
    }


def group_views(context, db, rows):
    """Security-group dicts (with their rules) of ``security_groups``
    rows."""
    rules = db.security_groups.get_rules(
        context, security_group_id=[r["uuid"] for r in rows]) if rows else []
    by_group = {}
    for rule in rules:
        by_group.setdefault(rule["security_group_id"], []).append(
            rule_view(rule))
    return [{"id": r["uuid"], "name": r["name"],
             "description": r["description"] or "",
             "project_id": r["project_id"],
             "security_group_rules": by_group.get(r["uuid"], []),
             "created_at": r["created_at"], "updated_at": r["updated_at"]}
            for r in rows]


def port_views(context, db, rows):
    """Port dicts of ``ports`` rows (bulk: three queries)."""
    uuids = [r["uuid"] for r in rows]
    fixed = db.networks.fixed_ips_of_ports(context, uuids)
    groups = db.ports.security_groups_of(context, uuids)
    networks = db.networks.get_many(
        context, {r["network_id"] for r in rows})
    views = []
    for row in rows:
        network = networks.get(row["network_id"])
        subnet = network["subnet_uuid"] if network else None
        views.append({
            "id": row["uuid"], "name": row["name"] or "",
            "network_id": row["network_id"],
            "project_id": row["project_id"],
            "mac_address": row["mac_address"],
            "fixed_ips": [{"subnet_id": subnet, "ip_address": a}
                          for a in fixed.get(row["uuid"], [])],
            "device_id": row["instance_uuid"] or "",
            "device_owner": row["device_owner"] or "",
            "host": row["host"] or "", "status": row["status"],
            "dns_name": row.get("dns_name") or "",
            "security_groups": groups.get(row["uuid"], []),
            # The compute API's device tag (not a Networking v2 field).
            "tag": row.get("tag"),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        })
    return views


def floating_view(row, status=None):
    return {
        "id": row["uuid"], "floating_ip_address": row["address"],
        "floating_network_id": row["network_id"],
        "project_id": row["project_id"], "port_id": row["port_id"],
        "fixed_ip_address": row["fixed_address"],
        "status": status or ("ACTIVE" if row["port_id"] else "DOWN"),
        "router_id": None, "description": row["description"] or "",
        "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def gateway_host(network, port_host=None):
    """The host whose nimbus-network serves ``network`` (a ``networks``
    row) for a port on ``port_host``: the port's host with multi_host,
    else the network's host (None until a network service claims it)."""
    if network["multi_host"]:
        return port_host
    return network["host"]


def vifs(context, db, conf, rows, with_rules=True, remote_groups=False,
         networks=None, made=None, held_groups=(), rules=None):
    """VIF dicts of ``ports`` rows, in their order.

    :param with_rules: include each port's firewall rules (views do not
        need them).
    :param remote_groups: rules naming a remote group keep its id and
        each VIF gets ``remote_groups``: ``{group uuid: [member address,
        ...]}`` of the groups its rules name; False: such rules are
        resolved to one rule per member address (network RPC 1.0).
    :param networks: ``{uuid: networks row}`` the caller has just read
        (the others are read here).
    :param made: ``{port uuid: {"fixed_ips", "security_groups"}}`` of
        ports the caller has just made (no floating IP can be bound to
        them yet): their addresses and groups are not read again.
    :param held_groups: (with ``remote_groups``) groups whose members
        the caller holds already: their members are neither read nor
        sent.
    :param rules: what :func:`vif_rules` returned for these rows, read
        by the caller already (with its ``remote_groups``,
        ``held_groups`` and ``made``).
    """
    uuids = [r["uuid"] for r in rows]
    made = made or {}
    older = [u for u in uuids if u not in made]
    networks = dict(networks or {})
    missing = {r["network_id"] for r in rows} - set(networks)
    # A boot's own ports (made, their networks and rules in hand) need no
    # read at all, nor a session: only a multi_host gateway is read then.
    reads = older or missing or (with_rules and rules is None) or any(
        n["multi_host"] for n in networks.values())
    with db.reading(context) if reads else contextlib.nullcontext():
        fixed = db.networks.fixed_ips_of_ports(context, older)
        fixed.update((u, m["fixed_ips"]) for u, m in made.items())
        if missing:
            networks.update(db.networks.get_many(context, missing))
        floating = {}
        for fip in db.floating_ips.of_ports(context, older):
            floating.setdefault(fip["port_id"], {}).setdefault(
                fip["fixed_address"], []).append(fip["address"])
        if not with_rules:
            rules, members = {}, {}
        elif rules is not None:
            rules, members = rules
        else:
            rules, members = vif_rules(context, db, rows, remote_groups,
                                       made, held_groups)
        gateways = db.networks.host_gateways(
            context, [u for u, n in networks.items() if n["multi_host"]])
    result = []
    for row in rows:
        network = networks.get(row["network_id"])
        if network is None:
            continue
        view = network_view(network)
        if network["multi_host"] and view["gateway"]:
            # The guest routes through its own host's gateway.
            view["gateway"] = gateways.get((network["uuid"], row["host"]),
                                           view["gateway"])
        result.append({
            "id": row["uuid"], "mac": row["mac_address"],
            "network": model.network_dict(
                view, conf.network.metadata_host,
                conf.network.metadata_port),
            "fixed_ips": fixed.get(row["uuid"], []),
            "floating_ips": floating.get(row["uuid"], {}),
            "rules": rules.get(row["uuid"], []),
            "host": gateway_host(network, row["host"]),
            "instance_uuid": row["instance_uuid"],
            "hostname": row.get("dns_name"),
        })
        if with_rules and remote_groups:
            result[-1]["remote_groups"] = {
                r["remote_group_id"]: members[r["remote_group_id"]]
                for r in result[-1]["rules"]
                if r["remote_group_id"] in members}
    return result


def instance_vifs(context, db, conf, instance_uuids, with_rules=False):
    """``{instance uuid: [VIF dict, ...]}`` (every uuid present)."""
    result = {u: [] for u in instance_uuids}
    if not instance_uuids:
        return result
    with db.reading(context):
        rows = db.ports.get_all(context,
                                instance_uuid=list(set(instance_uuids)))
        found = vifs(context, db, conf, rows, with_rules=with_rules)
    for vif in found:
        result[vif["instance_uuid"]].append(vif)
    return result


def vif_rules(context, db, rows, remote_groups=False, made=None,
              held_groups=(), known_rules=None):
    """The firewall rules :func:`vifs` gives ``ports`` rows, and the
    members of the remote groups they name: :func:`port_rules` with
    :func:`vifs`'s parameters."""
    return port_rules(
        context, db, [r["uuid"] for r in rows], resolve=not remote_groups,
        known_groups={u: m["security_groups"]
                      for u, m in (made or {}).items()},
        held=held_groups, known_rules=known_rules)


def port_rules(context, db, port_uuids, resolve=True, known_groups=None,
               held=(), known_rules=None):
    """``({port uuid: [FirewallRule dict, ...]}, {group uuid: [member
    address, ...]})``: the rules of each port's security groups and the
    members of the remote groups they name (sorted, distinct) but
    ``held`` (unresolved rules only: the caller has those members).

    :param resolve: turn a rule naming a remote group into one rule per
        member address (network RPC 1.0); else it keeps
        ``remote_group_id``.
    :param known_groups: ``{port uuid: [group uuid, ...]}`` the caller
        knows (not read again).
    :param known_rules: ``{group uuid: [rule row, ...]}`` the caller
        read (not read again).
    """
    known_groups = known_groups or {}
    groups_of = db.ports.security_groups_of(
        context, [u for u in port_uuids if u not in known_groups])
    groups_of.update((u, g) for u, g in known_groups.items()
                     if u in port_uuids)
    group_ids = {g for groups in groups_of.values() for g in groups}
    known_rules = known_rules or {}
    rules = [r for g in group_ids & known_rules.keys()
             for r in known_rules[g]]
    rules += db.security_groups.rules_of(
        context, [g for g in group_ids if g not in known_rules])
    remote_ids = {r["remote_group_id"] for r in rules if r["remote_group_id"]}
    if not resolve:
        remote_ids -= set(held)
    members = group_members(context, db, remote_ids)
    by_group = {}
    for rule in rules:
        if rule["ethertype"] not in SERVED_ETHERTYPES:
            continue
        by_group.setdefault(rule["security_group_id"], []).extend(
            _expand(rule, members) if resolve else [_unresolved(rule)])
    keys = {id(rule): _rule_key(rule)
            for rules_ in by_group.values() for rule in rules_}
    result = {}
    for port, groups in groups_of.items():
        if len(groups) == 1:
            # One group: its rules are already distinct; share the list.
            result[port] = by_group.get(groups[0], [])
            continue
        seen, flat = set(), []
        for group in groups:
            for rule in by_group.get(group, []):
                key = keys[id(rule)]
                if key not in seen:
                    seen.add(key)
                    flat.append(rule)
        result[port] = flat
    return result, {g: sorted(set(a)) for g, a in members.items()}


def _rule_key(rule):
    return (rule["direction"], rule["protocol"], rule["port_range_min"],
            rule["port_range_max"], rule["remote_cidr"], rule["ethertype"],
            rule["remote_group_id"])


def group_members(context, db, group_ids):
    """``{group uuid: [fixed address, ...]}`` of the ports in each."""
    return db.ports.group_addresses(context, list(group_ids))


def _base(rule):
    return {"direction": rule["direction"], "protocol": rule["protocol"],
            "port_range_min": rule["port_range_min"],
            "port_range_max": rule["port_range_max"],
            "ethertype": rule["ethertype"], "remote_group_id": None}


def _unresolved(rule):
    return dict(_base(rule), remote_cidr=rule["remote_ip_prefix"],
                remote_group_id=rule["remote_group_id"])


def _expand(rule, members):
    base = _base(rule)
    if rule["remote_group_id"]:
        return [dict(base, remote_cidr=f"{address}/32")
                for address in sorted(set(members.get(
                    rule["remote_group_id"], [])))]
    return [dict(base, remote_cidr=rule["remote_ip_prefix"])]
