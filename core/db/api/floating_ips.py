"""Floating IPs: the pools of external networks and their allocations.

Every address of a pool is a row (``project_id`` NULL while free).
Allocating is a compare-and-swap ``UPDATE ... WHERE project_id IS NULL``
that also gives the row a fresh ``uuid``: each allocation is a new
floating IP to the APIs, as in Neutron. Association is a
compare-and-swap too, so one fixed address never gets two floating IPs.
"""

import random

from oslo_utils import uuidutils
from sqlalchemy import delete, insert, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict, where_columns

FIP = models.FloatingIp
_WINDOW = 32


def add_to_pool(context, network_uuid, addresses):
    """Add free addresses to the external network's pool, all or none.

    :raises Conflict: an address is already in a pool.
    """
    if not addresses:
        return 0
    try:
        with engine.writer(context) as session:
            session.execute(insert(FIP), [
                {"uuid": uuidutils.generate_uuid(), "address": a,
                 "network_id": network_uuid} for a in addresses])
        return len(addresses)
    except DUPLICATE:
        raise exception.Conflict(
            reason="some of these addresses are already floating IPs")


def remove_from_pool(context, addresses):
    """Remove free addresses from their pool, all or none; returns how
    many.

    :raises FloatingIpAssociated: one of them is allocated.
    """
    with engine.writer(context) as session:
        rows = session.scalars(select(FIP).where(
            FIP.address.in_(list(addresses)))).all()
        for row in rows:
            if row.project_id is not None:
                raise exception.FloatingIpAssociated(
                    address=row.address, port_id=row.port_id or "-")
        session.execute(delete(FIP).where(FIP.address.in_(list(addresses))))
        return len(rows)


def allocate(context, network_uuid, project_id, address=None,
             description=None, retries=50):
    """Take a free address of the pool for the project; returns the row.

    :raises NoMoreFloatingIps: the pool is exhausted.
    :raises FloatingIpAssociated: ``address`` is taken.
    :raises FloatingIpNotFound: ``address`` is not in the pool.
    """
    values = {"project_id": project_id, "description": description,
              "port_id": None, "fixed_address": None}
    if address is not None:
        with engine.writer(context) as session:
            new_uuid = uuidutils.generate_uuid()
            swapped = session.execute(
                update(FIP).where(FIP.network_id == network_uuid,
                                  FIP.address == address,
                                  FIP.project_id.is_(None))
                .values(uuid=new_uuid, **values)
                .execution_options(synchronize_session=False)).rowcount
            row = session.scalars(select(FIP).where(
                FIP.network_id == network_uuid,
                FIP.address == address)).first()
        if swapped:
            return to_dict(row)
        if row is not None:
            raise exception.FloatingIpAssociated(address=address,
                                                 port_id=row.port_id or "-")
        raise exception.FloatingIpNotFound(floatingip_id=address)
    for _ in range(retries):
        with engine.writer(context) as session:
            candidates = session.scalars(select(FIP.id).where(
                FIP.network_id == network_uuid,
                FIP.project_id.is_(None)).order_by(FIP.id)
                .limit(_WINDOW)).all()
            if not candidates:
                raise exception.NoMoreFloatingIps(network_id=network_uuid)
            row_id = random.choice(candidates)
            new_uuid = uuidutils.generate_uuid()
            swapped = session.execute(
                update(FIP).where(FIP.id == row_id, FIP.project_id.is_(None))
                .values(uuid=new_uuid, **values)
                .execution_options(synchronize_session=False)).rowcount
            if swapped:
                return to_dict(session.get(FIP, row_id))
    raise exception.NoMoreFloatingIps(network_id=network_uuid)


def _row(session, uuid):
    row = session.scalars(select(FIP).where(
        FIP.uuid == uuid, FIP.project_id.is_not(None))).first()
    if row is None:
        raise exception.FloatingIpNotFound(floatingip_id=uuid)
    return row


def get(context, uuid):
    """An allocated floating IP. :raises FloatingIpNotFound:"""
    with engine.reader(context) as session:
        return to_dict(_row(session, uuid))


def get_all(context, allocated=True, **filters):
    """Floating IPs matching every ``column=value`` (a list/tuple/set
    matches any item). ``allocated`` True (default) lists allocated
    ones, False the free pool, None both."""
    query = select(FIP)
    if allocated is True:
        query = query.where(FIP.project_id.is_not(None))
    elif allocated is False:
        query = query.where(FIP.project_id.is_(None))
    query = where_columns(query, FIP, filters)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query.order_by(FIP.id))]


def associate(context, uuid, port_uuid, fixed_address):
    """Point the floating IP at ``fixed_address`` of the port; returns
    the row before the change (to undo the old NAT) and after.

    :raises FloatingIpNotFound:
    :raises FloatingIpAssociated: another floating IP already points at
        that fixed address.
    """
    with engine.writer(context) as session:
        row = _row(session, uuid)
        before = to_dict(row)
        other = session.scalars(select(FIP).where(
            FIP.port_id == port_uuid, FIP.fixed_address == fixed_address,
            FIP.uuid != uuid)).first()
        if other is not None:
            raise exception.FloatingIpAssociated(address=other.address,
                                                 port_id=port_uuid)
        row.port_id = port_uuid
        row.fixed_address = fixed_address
        session.flush()
        return before, to_dict(row)


def disassociate(context, uuid):
    """Unbind the floating IP from its port; returns the row before."""
    with engine.writer(context) as session:
        row = _row(session, uuid)
        before = to_dict(row)
        row.port_id = None
        row.fixed_address = None
        return before


def update_fip(context, uuid, values):
    with engine.writer(context) as session:
        row = _row(session, uuid)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def release(context, uuid):
    """Give the address back to its pool; returns the row before.

    :raises FloatingIpNotFound:
    """
    with engine.writer(context) as session:
        row = _row(session, uuid)
        before = to_dict(row)
        row.uuid = uuidutils.generate_uuid()
        row.project_id = None
        row.port_id = None
        row.fixed_address = None
        row.description = None
        return before


def of_ports(context, port_uuids):
    """Allocated floating IPs bound to any of the ports."""
    if not port_uuids:
        return []
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(select(FIP).where(
            FIP.port_id.in_(list(port_uuids))).order_by(FIP.id))]
