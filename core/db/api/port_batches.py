"""Ports for many servers at once: a burst of boots' allocations in a
handful of statements, whatever their number (see
:meth:`nimbus.core.network.allocation.Allocator.allocate`).

Each statement serves every port of the batch: the free addresses of
each network (locked, as ``networks.swap_fixed_ip`` takes them one at a
time), the ports, their group bindings, their servers' group bindings,
and the swap of the addresses to the ports.
"""

import collections

from oslo_utils import uuidutils
from sqlalchemy import bindparam, false, insert, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE
from nimbus.core.db.api.ports import random_mac

PT = models.Port.__table__
FT = models.FixedIp.__table__
PSGT = models.PortSecurityGroup.__table__
ISGT = models.InstanceSecurityGroup.__table__

#: the first ``count`` free addresses of a network, locked; a
#: concurrent allocator skips them (and takes the next ones).
_FREE = (select(FT.c.id, FT.c.address)
         .where(FT.c.network_id == bindparam("network_uuid"),
                FT.c.port_id.is_(None), FT.c.reserved == false(),
                FT.c.leased == false())
         .order_by(FT.c.id).limit(bindparam("count"))
         .with_for_update(skip_locked=True))
#: in no particular order (unordered, SQLAlchemy sends the batch as
#: one multi-row INSERT): the rows are matched by uuid.
_INSERT_PORTS = insert(PT).returning(*PT.c)
_INSERT_PSG = insert(PSGT)
_INSERT_ISG = insert(ISGT)
_GROUPS_OF = select(ISGT.c.instance_uuid, ISGT.c.security_group_id).where(
    ISGT.c.instance_uuid.in_(bindparam("servers", expanding=True)))
_SWAP = (update(FT).where(FT.c.id == bindparam("row_id"),
                          FT.c.port_id.is_(None), FT.c.leased == false())
         .values(port_id=bindparam("new_port"),
                 instance_uuid=bindparam("new_instance"), leased=False))

#: One port to make: its column values (``network_id`` and
#: ``instance_uuid`` among them), the groups it joins and the groups its
#: server is to be recorded in.
PortSpec = collections.namedtuple("PortSpec", "values security_groups "
                                              "instance_groups")


def create_with_addresses(context, specs, mac_prefix):
    """Inside the caller's write transaction (see
    :func:`~nimbus.core.db.api.writing_retried`): make a port for each
    :data:`PortSpec`, each with a fresh MAC and any free address of its
    network, with the group bindings of the ports and of their servers.

    :returns: the ports' rows with ``fixed_ips``: ``[the address
        won]``, in the order of ``specs``.
    :raises NoMoreFixedIps: a network has fewer free addresses than the
        batch asks of it (the caller's transaction is to roll back).
    :raises TransactionLost: a MAC was drawn twice, or an address was
        taken meanwhile: the whole transaction is to run again.
    """
    with engine.writer(context) as session:
        addresses = _free_addresses(session, specs)
        values = [dict(s.values, uuid=s.values.get("uuid")
                       or uuidutils.generate_uuid(),
                       mac_address=random_mac(mac_prefix)) for s in specs]
        try:
            inserted = {r.uuid: dict(r._mapping) for r in session.execute(
                _INSERT_PORTS, values)}
        except DUPLICATE as exc:
            if "mac" not in str(exc).lower():
                raise
            raise exception.TransactionLost(
                reason="a MAC was drawn twice") from exc
        rows = [inserted[v["uuid"]] for v in values]
        bindings = [{"port_id": row["uuid"], "security_group_id": g}
                    for row, spec in zip(rows, specs, strict=True)
                    for g in dict.fromkeys(spec.security_groups)]
        if bindings:
            session.execute(_INSERT_PSG, bindings)
        _record_server_groups(session, specs)
        swaps = [{"row_id": row_id, "new_port": row["uuid"],
                  "new_instance": row["instance_uuid"]}
                 for row, (row_id, _address) in zip(rows, addresses,
                                                    strict=True)]
        swapped = session.execute(_SWAP, swaps).rowcount
        if engine.dialect_of(session).supports_sane_multi_rowcount and \
                swapped != len(swaps):
            raise exception.TransactionLost(
                reason="an address was taken meanwhile")
    return [dict(row, fixed_ips=[address])
            for row, (_row_id, address) in zip(rows, addresses, strict=True)]


def _free_addresses(session, specs):
    """``[(fixed_ips id, address)]``, one per spec, each network's
    first free ones.

    :raises NoMoreFixedIps:
    """
    wanted = collections.Counter(s.values["network_id"] for s in specs)
    free = {}
    for network_uuid, count in wanted.items():
        rows = session.execute(_FREE, {"network_uuid": network_uuid,
                                       "count": count}).all()
        if len(rows) < count:
            raise exception.NoMoreFixedIps(network_id=network_uuid)
        free[network_uuid] = iter(rows)
    return [tuple(next(free[s.values["network_id"]])) for s in specs]


def _record_server_groups(session, specs):
    """Record each server in its spec's ``instance_groups`` it is not
    in yet."""
    wanted = {}
    for spec in specs:
        for group in spec.instance_groups:
            wanted.setdefault((spec.values["instance_uuid"], group), None)
    if not wanted:
        return
    have = set(session.execute(_GROUPS_OF, {
        "servers": list({server for server, _g in wanted})}).all())
    missing = [{"instance_uuid": server, "security_group_id": group}
               for server, group in wanted if (server, group) not in have]
    if missing:
        session.execute(_INSERT_ISG, missing)
