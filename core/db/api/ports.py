"""Ports (virtual interfaces): a unique MAC on a network, maybe bound to
a server, filtered by security groups.

MACs are random under a configured prefix and unique by constraint: a
collision (two creators drawing the same MAC) retries with a fresh one.
Binding a port to a server is a compare-and-swap on ``instance_uuid``.
"""

import random

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
from sqlalchemy import bindparam, delete, insert, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict, where_columns

P = models.Port
F = models.FixedIp
FIP = models.FloatingIp
PSG = models.PortSecurityGroup

_MAC_ATTEMPTS = 16

PT = P.__table__
FT = F.__table__
FIPT = FIP.__table__
PSGT = PSG.__table__
ISGT = models.InstanceSecurityGroup.__table__


def _in(name):
    return bindparam(name, expanding=True)


# The statements of a boot's port and a delete's release, built once
# and run as Core statements (see ``networks._GET``).
_INSERT_PORT = insert(PT)
_INSERT_PSG = insert(PSGT)
_INSERT_ISG = insert(ISGT)
_ISG_OF = select(ISGT.c.security_group_id).where(
    ISGT.c.instance_uuid == bindparam("instance_uuid"))
#: servers' ports (oldest first) with their groups (binding order).
_PORTS_WITH_GROUPS = (
    select(PT, PSGT.c.security_group_id.label("bound_group"))
    .outerjoin(PSGT, PSGT.c.port_id == PT.c.uuid)
    .where(PT.c.instance_uuid.in_(_in("instances")))
    .order_by(PT.c.id, PSGT.c.id))
_FREE_ADDRESSES = update(FT).where(FT.c.port_id.in_(_in("doomed"))).values(
    port_id=None, instance_uuid=None)
_UNBIND_FLOATING = update(FIPT).where(
    FIPT.c.port_id.in_(_in("doomed"))).values(port_id=None,
                                                fixed_address=None)
_UNBIND_GROUPS = delete(PSGT).where(PSGT.c.port_id.in_(_in("doomed")))
_DELETE_PORTS = delete(PT).where(PT.c.uuid.in_(_in("doomed")))
_KEEP_PORTS = update(PT).where(PT.c.uuid.in_(_in("kept"))).values(
    instance_uuid=None, host=None, device_owner=None, status="DOWN",
    tag=None)
_KEEP_ADDRESSES = update(FT).where(FT.c.port_id.in_(_in("kept"))).values(
    instance_uuid=None)
_FORGET_GROUPS = delete(ISGT).where(
    ISGT.c.instance_uuid.in_(_in("instances")))
_GROUPS_OF = (select(PSGT.c.port_id, PSGT.c.security_group_id)
              .where(PSGT.c.port_id.in_(_in("ports")))
              .order_by(PSGT.c.id))
_GROUP_ADDRESSES = (select(PSGT.c.security_group_id, FT.c.address)
                    .join(FT, FT.c.port_id == PSGT.c.port_id)
                    .where(PSGT.c.security_group_id.in_(_in("groups"))))
_HOSTS_IN_GROUPS = (select(PT.c.host, PSGT.c.security_group_id).distinct()
                    .join(PSGT, PSGT.c.port_id == PT.c.uuid)
                    .where(PSGT.c.security_group_id.in_(_in("groups")),
                           PT.c.host.is_not(None),
                           PT.c.instance_uuid.is_not(None)))
_GATEWAY_PORTS = (select(PT.c.uuid, PT.c.mac_address, PT.c.instance_uuid,
                         PT.c.dns_name, FT.c.address)
                  .outerjoin(FT, FT.c.port_id == PT.c.uuid)
                  .where(PT.c.network_id == bindparam("network_uuid")))
_GATEWAY_PORTS_ALL = _GATEWAY_PORTS.order_by(PT.c.id, FT.c.id)
_GATEWAY_PORTS_OF_HOSTS = _GATEWAY_PORTS.where(
    PT.c.host.in_(_in("hosts"))).order_by(PT.c.id, FT.c.id)


def _inserted(result):
    """The row a Core ``INSERT`` of one port wrote, as :func:`to_dict`
    gives it (the columns it set, their defaults, the new id)."""
    row = dict.fromkeys(PT.c.keys())
    row.update(result.last_inserted_params())
    row["id"] = result.inserted_primary_key[0]
    return row


def random_mac(prefix):
    """``prefix`` (three octets) plus three random ones, lower case."""
    tail = ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))
    return f"{prefix.lower()}:{tail}"


def create(context, values, mac_prefix="fa:16:3e", security_groups=()):
    """Create a port (with a fresh unique MAC unless ``mac_address`` is
    given) and its security-group bindings; returns it.

    :raises MacAddressInUse: the given ``mac_address`` is taken.
    """
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    given_mac = values.get("mac_address")
    for _ in range(1 if given_mac else _MAC_ATTEMPTS):
        if not given_mac:
            values["mac_address"] = random_mac(mac_prefix)
        try:
            with engine.writer(context) as session:
                row = P(**values)
                session.add(row)
                session.flush()
                if security_groups:
                    session.execute(insert(PSG), [
                        {"port_id": row.uuid, "security_group_id": g}
                        for g in dict.fromkeys(security_groups)])
                return to_dict(row)
        except DUPLICATE as exc:
            if "mac" not in str(exc).lower():
                raise
    raise exception.MacAddressInUse(mac=values["mac_address"])


def create_with_address(context, values, network_uuid, mac_prefix,
                        address=None, security_groups=(),
                        instance_groups=(), retries=50):
    """Create a port, its group bindings, the server's group bindings
    (``instance_groups``, for ``values["instance_uuid"]``) and win it one
    address, all in ONE transaction (a boot's only write here).

    The address is won by compare-and-swap as in
    :func:`nimbus.core.db.api.networks.allocate_fixed_ip`; a lost swap
    tries another candidate in the same transaction, a MAC collision
    restarts the transaction with a fresh MAC. Called inside the
    caller's write transaction (a server's whole allocation), it makes
    one attempt: a MAC collision or a deadlock is
    :class:`~nimbus.core.exception.TransactionLost`, for the caller to
    run its transaction again (see :func:`~nimbus.core.db.api.
    writing_retried`).

    :returns: the port's row with ``fixed_ips``: ``[the address won]``.
    :raises FixedIpAlreadyInUse, FixedIpNotFound, NoMoreFixedIps:
        nothing is written.
    """
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    joined = engine.in_writer()
    for _ in range(1 if joined else _MAC_ATTEMPTS):
        values["mac_address"] = values.get("mac_address") or \
            random_mac(mac_prefix)
        try:
            return _create_with_address(context, values, network_uuid,
                                        address, security_groups,
                                        instance_groups, retries)
        except DUPLICATE as exc:
            if "mac" not in str(exc).lower():
                raise
            if joined:
                raise exception.TransactionLost(
                    reason=f"MAC {values['mac_address']} drawn twice") \
                    from exc
            values["mac_address"] = None
        except db_exc.DBDeadlock as exc:
            if joined:
                raise exception.TransactionLost(reason="deadlock") from exc
            # rolled back: try again afresh
    raise exception.MacAddressInUse(mac=values["mac_address"])


def _create_with_address(context, values, network_uuid, address,
                         security_groups, instance_groups, retries):
    """One attempt of :func:`create_with_address`."""
    from nimbus.core.db.api import networks as networks_db
    with engine.writer(context) as session:
        row = _inserted(session.execute(_INSERT_PORT, values))
        if security_groups:
            session.execute(_INSERT_PSG, [
                {"port_id": row["uuid"], "security_group_id": g}
                for g in dict.fromkeys(security_groups)])
        if instance_groups:
            have = set(session.scalars(_ISG_OF, {
                "instance_uuid": row["instance_uuid"]}))
            missing = [g for g in dict.fromkeys(instance_groups)
                       if g not in have]
            if missing:
                session.execute(_INSERT_ISG, [
                    {"instance_uuid": row["instance_uuid"],
                     "security_group_id": g} for g in missing])
        won = networks_db.swap_fixed_ip(
            session, network_uuid, row["uuid"], row["instance_uuid"],
            address, retries)
        return dict(row, fixed_ips=[won])


def release_instance(context, instance_uuid):
    """In ONE transaction: delete the server's ports nimbus made, unbind
    the user's (``preserve_on_delete``), free their addresses, unbind
    their floating IPs and forget the server's groups; returns the port
    rows as they were, each with its ``security_groups`` (group uuids in
    binding order)."""
    return release_instances(context, [instance_uuid])[instance_uuid]


def release_instances(context, instance_uuids):
    """:func:`release_instance` for several servers, in ONE transaction
    and the same handful of statements however many they are; returns
    ``{instance uuid: [port row, ...]}`` with every server given (an
    empty list for one without ports)."""
    instances = list(dict.fromkeys(instance_uuids))
    released = {uuid: {} for uuid in instances}
    with engine.writer(context) as session:
        for row in session.execute(_PORTS_WITH_GROUPS,
                                   {"instances": instances}):
            values = row._mapping
            ports = released[values["instance_uuid"]]
            port = ports.get(values["uuid"])
            if port is None:
                port = ports[values["uuid"]] = {
                    key: values[key] for key in PT.c.keys()}
                port["security_groups"] = []
            if values["bound_group"] is not None:
                port["security_groups"].append(values["bound_group"])
        every = [p for ports in released.values() for p in ports.values()]
        doomed = [p["uuid"] for p in every if not p["preserve_on_delete"]]
        kept = [p["uuid"] for p in every if p["preserve_on_delete"]]
        if doomed:
            for statement in (_FREE_ADDRESSES, _UNBIND_FLOATING,
                              _UNBIND_GROUPS, _DELETE_PORTS):
                session.execute(statement, {"doomed": doomed})
        if kept:
            session.execute(_KEEP_PORTS, {"kept": kept})
            session.execute(_KEEP_ADDRESSES, {"kept": kept})
        session.execute(_FORGET_GROUPS, {"instances": instances})
    return {uuid: list(ports.values()) for uuid, ports in released.items()}


def _row(session, uuid):
    row = session.scalars(select(P).where(P.uuid == uuid)).first()
    if row is None:
        raise exception.PortNotFound(port_id=uuid)
    return row


def get(context, uuid):
    """:raises PortNotFound:"""
    with engine.reader(context) as session:
        return to_dict(_row(session, uuid))


def get_all(context, **filters):
    """Ports matching every ``column=value`` (a list/tuple/set value
    matches any item), oldest first. ``fixed_ip`` filters by address."""
    query = select(P)
    address = filters.pop("fixed_ip", None)
    if address is not None:
        query = query.where(P.uuid.in_(select(F.port_id).where(
            F.address == address)))
    query = where_columns(query, P, filters)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query.order_by(P.id))]


def gateway_ports(context, network_uuid, hosts=None):
    """What a network's gateway side serves, in one query: ``[(uuid,
    mac, instance uuid, dns name, [address, ...]), ...]`` of the ports
    on the network (bound to one of ``hosts`` when given), oldest first,
    each port's addresses ordered by address row (as
    :func:`~nimbus.core.db.api.networks.fixed_ips_of_ports` gives them)."""
    params = {"network_uuid": network_uuid}
    query = _GATEWAY_PORTS_ALL
    if hosts is not None:
        query, params["hosts"] = _GATEWAY_PORTS_OF_HOSTS, list(hosts)
    result = {}
    with engine.reader(context) as session:
        for uuid, mac, instance, name, address in session.execute(
                query, params):
            port = result.setdefault(uuid, (uuid, mac, instance, name, []))
            if address is not None:
                port[4].append(address)
    return list(result.values())


def update_port(context, uuid, values):
    """Set column ``values``; returns the port. :raises PortNotFound:"""
    with engine.writer(context) as session:
        row = _row(session, uuid)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def bind(context, uuid, instance_uuid, host=None, device_owner=None,
         tag=None):
    """Bind a free port to a server (compare-and-swap), with the device
    ``tag`` the server's create gave it.

    :raises PortNotFound:
    :raises PortInUse: it is bound to another server.
    """
    with engine.writer(context) as session:
        swapped = session.execute(
            update(P).where(P.uuid == uuid, P.instance_uuid.is_(None))
            .values(instance_uuid=instance_uuid, host=host,
                    device_owner=device_owner or "compute:nova",
                    status="ACTIVE", tag=tag)
            .execution_options(synchronize_session=False)).rowcount
        row = _row(session, uuid)
        if not swapped and row.instance_uuid != instance_uuid:
            raise exception.PortInUse(port_id=uuid,
                                      device_id=row.instance_uuid)
        session.execute(update(F).where(F.port_id == uuid).values(
            instance_uuid=instance_uuid)
            .execution_options(synchronize_session=False))
        session.refresh(row)
        return to_dict(row)


def unbind(context, uuid):
    """Detach a port from its server, keeping it and its addresses."""
    with engine.writer(context) as session:
        session.execute(update(P).where(P.uuid == uuid).values(
            instance_uuid=None, host=None, device_owner=None, status="DOWN",
            tag=None).execution_options(synchronize_session=False))
        session.execute(update(F).where(F.port_id == uuid).values(
            instance_uuid=None)
            .execution_options(synchronize_session=False))


def destroy(context, uuid):
    """Delete the port: its addresses become free, its floating IPs are
    disassociated, its group bindings go; returns the deleted port.

    :raises PortNotFound:
    """
    with engine.writer(context) as session:
        row = _row(session, uuid)
        values = to_dict(row)
        session.execute(update(F).where(F.port_id == uuid).values(
            port_id=None, instance_uuid=None)
            .execution_options(synchronize_session=False))
        session.execute(update(FIP).where(FIP.port_id == uuid).values(
            port_id=None, fixed_address=None)
            .execution_options(synchronize_session=False))
        session.execute(delete(PSG).where(PSG.port_id == uuid))
        session.delete(row)
        return values


def orphaned_instances(context):
    """Servers that are gone (deleted, or never recorded) but still hold
    ports or security-group bindings: what a compute that died mid-delete
    leaves behind."""
    live = select(models.Instance.uuid).where(models.Instance.deleted == 0)
    isg = models.InstanceSecurityGroup
    with engine.reader(context) as session:
        held = set(session.scalars(select(P.instance_uuid).where(
            P.instance_uuid.is_not(None), P.instance_uuid.not_in(live))))
        held |= set(session.scalars(select(isg.instance_uuid).where(
            isg.instance_uuid.not_in(live))))
    return sorted(held)


# -- security-group bindings -------------------------------------------------

def security_groups_of(context, port_uuids):
    """``{port uuid: [group uuid, ...]}`` in binding order."""
    if not port_uuids:
        return {}
    with engine.reader(context) as session:
        return _groups_of(session, port_uuids)


def _groups_of(session, port_uuids):
    result = {p: [] for p in port_uuids}
    if port_uuids:
        for port_id, group_id in session.execute(
                _GROUPS_OF, {"ports": list(port_uuids)}):
            result[port_id].append(group_id)
    return result


def set_security_groups(context, uuid, group_uuids):
    """Replace the port's groups with ``group_uuids``."""
    with engine.writer(context) as session:
        _row(session, uuid)
        session.execute(delete(PSG).where(PSG.port_id == uuid))
        if group_uuids:
            session.execute(insert(PSG), [
                {"port_id": uuid, "security_group_id": g}
                for g in dict.fromkeys(group_uuids)])


def add_security_group(context, port_uuids, group_uuid):
    """Bind the group to each port that lacks it."""
    with engine.writer(context) as session:
        have = set(session.scalars(select(PSG.port_id).where(
            PSG.security_group_id == group_uuid,
            PSG.port_id.in_(list(port_uuids)))))
        missing = [p for p in port_uuids if p not in have]
        if missing:
            session.execute(insert(PSG), [
                {"port_id": p, "security_group_id": group_uuid}
                for p in missing])


def remove_security_group(context, port_uuids, group_uuid):
    with engine.writer(context) as session:
        session.execute(delete(PSG).where(
            PSG.security_group_id == group_uuid,
            PSG.port_id.in_(list(port_uuids))))


def group_addresses(context, group_uuids):
    """``{group uuid: [fixed address, ...]}`` of the ports bound to each
    group (every uuid present; addresses sorted, distinct), in one
    query: what nimbus-network ships as a remote group's members."""
    result = {g: set() for g in group_uuids}
    if result:
        with engine.reader(context) as session:
            for group_id, address in session.execute(
                    _GROUP_ADDRESSES, {"groups": list(result)}):
                result[group_id].add(address)
    return {g: sorted(a) for g, a in result.items()}


def ports_in_groups(context, group_uuids):
    """Ports bound to any of the groups (their uuids)."""
    if not group_uuids:
        return []
    with engine.reader(context) as session:
        return list(dict.fromkeys(session.scalars(select(PSG.port_id).where(
            PSG.security_group_id.in_(list(group_uuids))).order_by(PSG.id))))


def hosts_in_groups(context, group_uuids):
    """``{host: {group uuid, ...}}``: the hosts of the bound ports (with
    a host and a server) in any of the groups, and which of the groups
    each host's ports are in, in one query (a row per host and group,
    not per port)."""
    result = {}
    if group_uuids:
        with engine.reader(context) as session:
            for host, group in session.execute(
                    _HOSTS_IN_GROUPS, {"groups": list(group_uuids)}):
                result.setdefault(host, set()).add(group)
    return result


def set_tag(context, uuid, instance_uuid, tag):
    """Give the port bound to ``instance_uuid`` its device tag (a NIC
    attached with one, 2.49); nothing when it is not bound to it."""
    with engine.writer(context) as session:
        session.execute(update(P).where(P.uuid == uuid,
                                        P.instance_uuid == instance_uuid)
                        .values(tag=tag)
                        .execution_options(synchronize_session=False))
