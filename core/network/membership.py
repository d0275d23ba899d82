"""Sending security-group changes to the computes that enforce them.

Two shapes, chosen by what the computes speak (compute RPC 1.8 or not):

* **membership** (1.8): a group that gained or lost members is sent, as
  ``{group uuid: [address, ...]}``, once to each host with a port whose
  rules name it (``refresh_group_members``); filters name the group and
  do not change. A boot in a group of n members costs one message per
  host, not n re-sent filters of n rules each (which made boots with
  networks quadratic in the size of the ``default`` group).
* **filters** (older computes): every port whose rules name a changed
  group gets its whole filter again, groups resolved to addresses.

Callers register only after their record changes are committed.
"""

from nimbus.core.network import model, records


def referencing_ports(context, db, group_uuids):
    """``(rows, remote_of)``: the bound ports (``ports`` rows with a host
    and a server) in groups whose rules name one of ``group_uuids``, and
    ``{security group uuid: {remote group uuid, ...}}`` of those rules."""
    remote_of = _remote_of(context, db, group_uuids)
    if not remote_of:
        return [], {}
    port_ids = db.ports.ports_in_groups(context, list(remote_of))
    rows = [r for r in db.ports.get_all(context, uuid=port_ids)
            if r["host"] and r["instance_uuid"]] if port_ids else []
    return rows, remote_of


def push_members(context, db, conf, compute_rpc, group_uuids):
    """Membership of ``group_uuids`` changed: bring every compute whose
    ports' rules name one of them up to date (see the module doc). The
    hosts are found without reading their ports: the work grows with
    the hosts and the members, not with the ports that name a group."""
    if not compute_rpc.can_refresh_group_members():
        rows = referencing_ports(context, db, group_uuids)[0]
        send_filters(context, db, conf, compute_rpc, rows)
        return
    remote_of = _remote_of(context, db, group_uuids)
    if not remote_of:
        return
    by_host = {
        host: {g for group in groups for g in remote_of.get(group, ())}
        for host, groups in db.ports.hosts_in_groups(
            context, list(remote_of)).items()}
    members = records.group_members(
        context, db, {g for named in by_host.values() for g in named})
    for host, named in sorted(by_host.items()):
        if named:
            compute_rpc.refresh_group_members(context, host, {
                g: members[g] for g in sorted(named)})


def _remote_of(context, db, group_uuids):
    """``{security group uuid: {remote group uuid, ...}}`` of the rules
    naming one of ``group_uuids`` (none: no query)."""
    remote_of = {}
    group_uuids = list(group_uuids)
    if not group_uuids:
        return remote_of
    for rule in db.security_groups.get_rules(context,
                                             remote_group_id=group_uuids):
        remote_of.setdefault(rule["security_group_id"], set()).add(
            rule["remote_group_id"])
    return remote_of


def send_filters(context, db, conf, compute_rpc, rows):
    """Send the current filters of the bound ``ports`` rows to the
    computes hosting them (remote groups as the computes take them)."""
    if not rows:
        return
    unresolved = compute_rpc.can_refresh_group_members()
    hosts = {r["uuid"]: r["host"] for r in rows}
    filters, groups = {}, {}
    for vif in records.vifs(context, db, conf, rows,
                            remote_groups=unresolved):
        host = hosts[vif["id"]]
        filters.setdefault(host, []).append(model.port_filter_dict(vif))
        groups.setdefault(host, {}).update(vif.get("remote_groups") or {})
    for host, port_filters in sorted(filters.items()):
        compute_rpc.refresh_port_filters(
            context, host, port_filters,
            remote_groups=groups[host] if unresolved else None)
