"""Networks and their fixed IPs (IPAM records).

A network's addresses are rows of ``fixed_ips`` created with the network
(nova-network style). Allocating one is a compare-and-swap ``UPDATE ...
WHERE port_id IS NULL`` on one row: under any concurrency, on any of the
supported databases, an address has at most one holder, and nobody waits
on a lock held across a round trip.
"""

import json
import random

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
from sqlalchemy import (
    bindparam,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import (
    DUPLICATE,
    REFERENCE,
    to_dict,
    where_columns,
)

N = models.Network
F = models.FixedIp
P = models.Port
FIP = models.FloatingIp

NT = N.__table__
FT = F.__table__

# Statements of the boot and delete paths, built once: SQLAlchemy keys
# its compiled-statement cache by walking a statement, and a statement
# object reused with bound parameters is walked once (Core rows, no ORM
# instances: they were most of a network read's cost).
_GET = select(NT).where(NT.c.uuid == bindparam("uuid"))
_INTERNAL = select(NT).where(NT.c.external == false()).order_by(NT.c.id)
_CANDIDATE = (select(FT.c.id, FT.c.address)
              .where(FT.c.network_id == bindparam("network_uuid"),
                     FT.c.port_id.is_(None), FT.c.reserved == false(),
                     FT.c.leased == false())
              .order_by(FT.c.id).limit(1)
              .with_for_update(skip_locked=True))
_SWAP = (update(FT).where(FT.c.id == bindparam("row_id"),
                          FT.c.port_id.is_(None), FT.c.leased == false())
         .values(port_id=bindparam("new_port"),
                 instance_uuid=bindparam("new_instance"), leased=False))

#: free rows read per allocation attempt; each attempt swaps one of them
#: picked at random, so concurrent allocators rarely collide.
_WINDOW = 32


def _view(row):
    """A network as callers see it: an ORM row's values."""
    return _view_of(to_dict(row))


def _view_of(mapping):
    """A network's values (a dict or a Core row's ``_mapping``) with its
    DNS servers decoded."""
    values = dict(mapping)
    values["dns_servers"] = json.loads(values["dns_servers"] or "[]")
    return values


def create(context, values, addresses=()):
    """Create a network and its ``fixed_ips`` rows in one transaction.

    :param values: column values; ``uuid`` and ``subnet_uuid`` are
        generated when missing.
    :param addresses: ``(address, reserved)`` pairs, every address of
        the network (empty for an external network).
    :raises NetworkExists: the VLAN (or the project's automatic
        network) is taken.
    """
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    values.setdefault("subnet_uuid", uuidutils.generate_uuid())
    values["dns_servers"] = json.dumps(list(values.get("dns_servers") or []))
    try:
        with engine.writer(context) as session:
            row = N(**values)
            session.add(row)
            session.flush()
            if addresses:
                session.execute(insert(F), [
                    {"network_id": row.uuid, "address": address,
                     "reserved": bool(reserved), "leased": False}
                    for address, reserved in addresses])
            return _view(row)
    except DUPLICATE as exc:
        text = str(exc).lower()
        if "vlan" in text:
            reason = f"VLAN {values.get('vlan')} is already in use"
        elif "cidr" in text:
            reason = (f"CIDR {values.get('cidr')} is already used by another "
                      f"network")
        elif "auto_project_id" in text:
            reason = (f"project {values.get('auto_project_id')} already has "
                      f"its network")
        else:
            reason = "a network with these values already exists"
        raise exception.NetworkExists(reason=reason)
    except db_exc.DBDeadlock:
        # InnoDB answers concurrent inserts into the same unique-index
        # gap with a deadlock, not a duplicate: the transaction is rolled
        # back and, to the caller, the values were taken meanwhile.
        raise exception.NetworkExists(
            reason="a concurrent creation took these values")


def _row(session, uuid):
    row = session.scalars(select(N).where(N.uuid == uuid)).first()
    if row is None:
        raise exception.NetworkNotFound(network_id=uuid)
    return row


def get(context, uuid):
    """:raises NetworkNotFound:"""
    with engine.reader(context) as session:
        row = session.execute(_GET, {"uuid": uuid}).first()
    if row is None:
        raise exception.NetworkNotFound(network_id=uuid)
    return _view_of(row._mapping)


def get_internal(context):
    """Every network that is not external, oldest first (what a boot
    without ``networks`` chooses from): ``get_all(external=False)`` in
    one prepared query."""
    with engine.reader(context) as session:
        return [_view_of(r._mapping) for r in session.execute(_INTERNAL)]


def get_by_subnet(context, subnet_uuid):
    """:raises SubnetNotFound:"""
    with engine.reader(context) as session:
        row = session.scalars(select(N).where(
            N.subnet_uuid == subnet_uuid)).first()
        if row is None:
            raise exception.SubnetNotFound(subnet_id=subnet_uuid)
        return _view(row)


def get_many(context, uuids):
    """``{uuid: network}`` of the networks that exist among ``uuids``."""
    if not uuids:
        return {}
    with engine.reader(context) as session:
        return {r.uuid: _view(r) for r in session.scalars(
            select(N).where(N.uuid.in_(set(uuids))))}


def get_all(context, visible_to=None, **filters):
    """Networks matching every ``column=value`` of ``filters`` (a list or
    tuple value matches any of its items), oldest first.

    :param visible_to: a project id: only that project's networks, shared
        ones and external ones.
    """
    query = select(N)
    if visible_to is not None:
        query = query.where(or_(N.project_id == visible_to,
                                N.shared.is_(True), N.external.is_(True)))
    query = where_columns(query, N, filters)
    with engine.reader(context) as session:
        return [_view(r) for r in session.scalars(query.order_by(N.id))]


def update_network(context, uuid, values):
    """Set ``values`` on the network; returns it.

    :raises NetworkNotFound:
    """
    values = dict(values)
    if "dns_servers" in values:
        values["dns_servers"] = json.dumps(list(values["dns_servers"] or []))
    try:
        with engine.writer(context) as session:
            row = _row(session, uuid)
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return _view(row)
    except DUPLICATE:
        raise exception.NetworkExists(
            reason=f"VLAN {values.get('vlan')} is already in use")


def set_subnet(context, uuid, values, addresses=()):
    """Give a network without a CIDR its addressing and ``fixed_ips``
    rows in one transaction; a compare-and-swap on the empty CIDR, so of
    concurrent callers one wins.

    :raises NetworkNotFound:
    :raises Conflict: the network has a CIDR already.
    """
    values = dict(values)
    if "dns_servers" in values:
        values["dns_servers"] = json.dumps(list(values["dns_servers"] or []))
    with engine.writer(context) as session:
        _row(session, uuid)
        done = session.execute(update(N).where(
            N.uuid == uuid, N.cidr.is_(None)).values(**values)).rowcount
        if not done:
            raise exception.Conflict(
                reason=f"network {uuid} already has its subnet")
        if addresses:
            session.execute(insert(F), [
                {"network_id": uuid, "address": address,
                 "reserved": bool(reserved), "leased": False}
                for address, reserved in addresses])
        session.expire_all()
        return _view(_row(session, uuid))


def destroy(context, uuid):
    """Delete the network with its addresses and its free floating pool.

    :raises NetworkNotFound:
    :raises NetworkInUse: it still has ports or allocated floating IPs.
    """
    try:
        with engine.writer(context) as session:
            row = _row(session, uuid)
            if session.scalar(select(func.count(P.id)).where(
                    P.network_id == uuid)) or session.scalar(
                    select(func.count(FIP.id)).where(
                        FIP.network_id == uuid,
                        FIP.project_id.is_not(None))):
                raise exception.NetworkInUse(network_id=uuid)
            session.execute(delete(F).where(F.network_id == uuid))
            session.execute(delete(FIP).where(FIP.network_id == uuid))
            session.delete(row)
    except REFERENCE:
        # A port created meanwhile holds the network (foreign key).
        raise exception.NetworkInUse(network_id=uuid)


def count_project_networks(context):
    """How many per-project networks nimbus-network has made."""
    with engine.reader(context) as session:
        return session.scalar(select(func.count(N.id)).where(
            N.auto_project_id.is_not(None)))


def claim(context, uuid, host):
    """Make ``host`` the network host of a network nobody serves yet
    (compare-and-swap); returns the network as it is now (maybe
    another host's).

    :raises NetworkNotFound:
    """
    with engine.writer(context) as session:
        session.execute(update(N).where(N.uuid == uuid, N.host.is_(None),
                                        N.multi_host.is_(False))
                        .values(host=host)
                        .execution_options(synchronize_session=False))
        return _view(_row(session, uuid))


def vlans_in_use(context):
    with engine.reader(context) as session:
        return set(session.scalars(select(N.vlan).where(
            N.vlan.is_not(None))))


def cidrs(context, external=False):
    """``{uuid: cidr}`` of the internal (or external) networks that have
    their subnet."""
    with engine.reader(context) as session:
        return dict(session.execute(select(N.uuid, N.cidr).where(
            N.external.is_(external), N.cidr.is_not(None))).all())


# -- fixed IPs --------------------------------------------------------------

def allocate_fixed_ip(context, network_uuid, port_uuid, instance_uuid=None,
                      address=None, retries=50):
    """Give one address of the network to the port; returns the address.

    With ``address`` that very address (it must be in the network, not
    reserved, and free); otherwise any free one.

    :raises FixedIpAlreadyInUse: ``address`` is held by another port.
    :raises FixedIpNotFound: ``address`` is not an address of the
        network that can be given out.
    :raises NoMoreFixedIps: the network has no free address (or, under
        extreme contention, none could be won in ``retries`` attempts).
    """
    if address is not None:
        return _allocate_address(context, network_uuid, port_uuid,
                                 instance_uuid, address)
    for _ in range(retries):
        with engine.writer(context) as session:
            candidates = session.execute(select(F.id, F.address).where(
                F.network_id == network_uuid, F.port_id.is_(None),
                F.reserved.is_(False), F.leased.is_(False))
                .order_by(F.id).limit(_WINDOW)).all()
            if not candidates:
                raise exception.NoMoreFixedIps(network_id=network_uuid)
            row_id, chosen = random.choice(candidates)
            swapped = session.execute(
                update(F).where(F.id == row_id, F.port_id.is_(None),
                                F.leased.is_(False))
                .values(port_id=port_uuid, instance_uuid=instance_uuid,
                        leased=False)
                .execution_options(synchronize_session=False)).rowcount
        if swapped == 1:
            return chosen
    raise exception.NoMoreFixedIps(network_id=network_uuid)


def swap_fixed_ip(session, network_uuid, port_uuid, instance_uuid,
                  address=None, retries=50):
    """Inside the caller's write transaction: win one address of the
    network for the port by compare-and-swap; returns it.

    :raises FixedIpAlreadyInUse, FixedIpNotFound, NoMoreFixedIps:
    """
    values = {"port_id": port_uuid, "instance_uuid": instance_uuid,
              "leased": False}
    if address is not None:
        swapped = session.execute(
            update(F).where(F.network_id == network_uuid,
                            F.address == address, F.port_id.is_(None),
                            F.reserved.is_(False), F.leased.is_(False))
            .values(**values)
            .execution_options(synchronize_session=False)).rowcount
        if swapped == 1:
            return address
        row = session.scalars(select(F).where(
            F.network_id == network_uuid, F.address == address)).first()
        if row is not None and (row.port_id is not None or row.leased):
            raise exception.FixedIpAlreadyInUse(address=address,
                                                network_id=network_uuid)
        raise exception.FixedIpNotFound(address=address,
                                        network_id=network_uuid)
    for _ in range(retries):
        # A locking read: the latest committed rows (a REPEATABLE READ
        # snapshot would keep offering rows others took meanwhile),
        # skipping rows other transactions are taking right now.
        candidates = session.execute(
            _CANDIDATE, {"network_uuid": network_uuid}).all()
        if not candidates:
            break
        row_id, chosen = candidates[0]
        if session.execute(_SWAP, {
                "row_id": row_id, "new_port": port_uuid,
                "new_instance": instance_uuid}).rowcount:
            return chosen
    raise exception.NoMoreFixedIps(network_id=network_uuid)


def _allocate_address(context, network_uuid, port_uuid, instance_uuid,
                      address):
    with engine.writer(context) as session:
        swapped = session.execute(
            update(F).where(F.network_id == network_uuid,
                            F.address == address, F.port_id.is_(None),
                            F.reserved.is_(False), F.leased.is_(False))
            .values(port_id=port_uuid, instance_uuid=instance_uuid,
                    leased=False)
            .execution_options(synchronize_session=False)).rowcount
        if swapped == 1:
            return address
        row = session.scalars(select(F).where(
            F.network_id == network_uuid, F.address == address)).first()
    if row is not None and (row.port_id is not None or row.leased):
        raise exception.FixedIpAlreadyInUse(address=address,
                                            network_id=network_uuid)
    raise exception.FixedIpNotFound(address=address, network_id=network_uuid)


def release_fixed_ips(context, port_uuid):
    """Free every address the port holds (a leased one stays out of
    allocation until its lease ends); returns how many."""
    with engine.writer(context) as session:
        return session.execute(
            update(F).where(F.port_id == port_uuid)
            .values(port_id=None, instance_uuid=None)
            .execution_options(synchronize_session=False)).rowcount


def fixed_ips_of_ports(context, port_uuids):
    """``{port uuid: [address, ...]}`` (ordered by address row)."""
    result = {p: [] for p in port_uuids}
    if not port_uuids:
        return result
    with engine.reader(context) as session:
        for port_id, address in session.execute(
                select(F.port_id, F.address).where(
                    F.port_id.in_(list(port_uuids))).order_by(F.id)):
            result[port_id].append(address)
    return result


def get_fixed_ips(context, network_uuid=None, address=None,
                  allocated=None):
    """Fixed-IP rows by network and/or address; ``allocated`` True/False
    keeps only held/free ones."""
    query = select(F)
    if network_uuid is not None:
        query = query.where(F.network_id == network_uuid)
    if address is not None:
        query = query.where(F.address == address)
    if allocated is True:
        query = query.where(F.port_id.is_not(None))
    elif allocated is False:
        query = query.where(F.port_id.is_(None))
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query.order_by(F.id))]


def set_reserved(context, network_uuid, reserved):
    """Mark exactly the ``reserved`` addresses of the network reserved
    (after its gateway or allocation range changed)."""
    reserved = list(reserved)
    with engine.writer(context) as session:
        # Hosts' gateway addresses (multi_host) stay theirs.
        session.execute(update(F).where(F.network_id == network_uuid,
                                        F.gateway_host.is_(None))
                        .values(reserved=False)
                        .execution_options(synchronize_session=False))
        if reserved:
            session.execute(update(F).where(
                F.network_id == network_uuid, F.address.in_(reserved))
                .values(reserved=True)
                .execution_options(synchronize_session=False))


def count_free(context, network_uuid):
    """Addresses of the network that can still be handed out."""
    with engine.reader(context) as session:
        return session.scalar(select(func.count(F.id)).where(
            F.network_id == network_uuid, F.port_id.is_(None),
            F.reserved.is_(False), F.leased.is_(False)))


def host_gateway(context, network_uuid, host, retries=50):
    """The gateway address of ``host`` on a ``multi_host`` network, taken
    from the network's free addresses (and reserved) the first time, as
    nova-network gave each host its own; returns it.

    :raises NoMoreFixedIps: no free address is left for it.
    """
    for _ in range(retries):
        try:
            with engine.writer(context) as session:
                held = session.scalar(select(F.address).where(
                    F.network_id == network_uuid, F.gateway_host == host))
                if held is not None:
                    return held
                candidate = session.execute(select(F.id, F.address).where(
                    F.network_id == network_uuid, F.port_id.is_(None),
                    F.reserved.is_(False), F.leased.is_(False))
                    .order_by(F.id).limit(1)).first()
                if candidate is None:
                    raise exception.NoMoreFixedIps(network_id=network_uuid)
                swapped = session.execute(
                    update(F).where(F.id == candidate.id,
                                    F.port_id.is_(None),
                                    F.reserved.is_(False),
                                    F.leased.is_(False))
                    .values(reserved=True, gateway_host=host)
                    .execution_options(synchronize_session=False)).rowcount
        except db_exc.DBDuplicateEntry:
            continue  # the host got one concurrently: read it again
        if swapped == 1:
            return candidate.address
    raise exception.NoMoreFixedIps(network_id=network_uuid)


def host_gateways(context, network_uuids):
    """``{(network uuid, host): address}`` of the hosts' gateways on
    ``multi_host`` networks."""
    if not network_uuids:
        return {}
    with engine.reader(context) as session:
        return {(n, h): a for n, h, a in session.execute(
            select(F.network_id, F.gateway_host, F.address).where(
                F.network_id.in_(list(network_uuids)),
                F.gateway_host.is_not(None)))}


def sync_leases(context, network_uuid, host, addresses, every_host=True):
    """Make the ``leased`` flags of the network's addresses say what the
    DHCP server on ``host`` reports: ``addresses`` are leased (by
    ``host``), every other address leased by ``host`` is not (any other
    address at all with ``every_host``: the network has one DHCP server).
    An address whose lease ends after its port went is free from then on.

    :returns: ``(newly leased, released)`` address lists.
    """
    addresses = sorted(set(addresses))
    with engine.writer(context) as session:
        rows = session.execute(
            select(F.id, F.address, F.leased, F.lease_host).where(
                F.network_id == network_uuid,
                or_(F.leased.is_(True), F.address.in_(addresses)))).all()
        gain = [r.id for r in rows if r.address in addresses
                and (not r.leased or r.lease_host != host)]
        lose = [r.id for r in rows if r.leased and r.address not in addresses
                and (every_host or r.lease_host == host)]
        if gain:
            session.execute(update(F).where(F.id.in_(gain))
                            .values(leased=True, lease_host=host)
                            .execution_options(synchronize_session=False))
        if lose:
            session.execute(update(F).where(F.id.in_(lose))
                            .values(leased=False, lease_host=None)
                            .execution_options(synchronize_session=False))
    by_id = {r.id: r.address for r in rows}
    return [by_id[i] for i in gain], [by_id[i] for i in lose]
