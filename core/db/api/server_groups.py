"""Server groups (instance groups) and their members.

:func:`check_claim` runs inside a claim's transaction: it locks the
group's row, so claims for members of one group are serialised across
every scheduler process, then re-reads where the members hold
allocations. Two schedulers therefore cannot both put an anti-affinity
member on one host, nor split an affinity group.
"""

import json

from oslo_utils import timeutils, uuidutils
from sqlalchemy import delete, func, insert, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models

G = models.InstanceGroup
M = models.InstanceGroupMember
ALLOC = models.Allocation
CN = models.ComputeNode
HARD = ("affinity", "anti-affinity")


def _row(session, uuid):
    row = session.scalars(select(G).where(G.uuid == uuid,
                                          G.deleted == 0)).first()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=uuid)
    return row


def _view(session, row):
    members = session.scalars(select(M.instance_uuid).where(
        M.group_id == row.id).order_by(M.id)).all()
    return {"id": row.id, "uuid": row.uuid, "name": row.name,
            "project_id": row.project_id, "user_id": row.user_id,
            "policy": row.policy, "rules": json.loads(row.rules or "{}"),
            "members": list(members), "created_at": row.created_at}


def create(context, name, project_id, user_id, policy, rules=None):
    with engine.writer(context) as session:
        row = G(uuid=uuidutils.generate_uuid(), name=name,
                project_id=project_id, user_id=user_id, policy=policy,
                rules=json.dumps(rules or {}), created_at=timeutils.utcnow(),
                deleted=0)
        session.add(row)
        session.flush()
        return _view(session, row)


def get(context, uuid):
    with engine.reader(context) as session:
        return _view(session, _row(session, uuid))


def get_all(context, project_id=None):
    query = select(G).where(G.deleted == 0)
    if project_id is not None:
        query = query.where(G.project_id == project_id)
    with engine.reader(context) as session:
        return [_view(session, r)
                for r in session.scalars(query.order_by(G.id))]


def delete_group(context, uuid):
    with engine.writer(context) as session:
        row = _row(session, uuid)
        session.execute(delete(M).where(M.group_id == row.id))
        row.deleted = row.id
        row.deleted_at = timeutils.utcnow()


def add_members(context, uuid, instance_uuids):
    with engine.writer(context) as session:
        row = _row(session, uuid)
        if instance_uuids:
            session.execute(insert(M), [
                {"group_id": row.id, "instance_uuid": i}
                for i in instance_uuids])


def member_hosts(context, uuid, exclude=None):
    """Return one host per member holding an allocation, e.g.
    ``["a", "a", "b"]``."""
    with engine.reader(context) as session:
        return _member_hosts(session, _group_id(session, uuid), exclude)


def groups_of(context, instance_uuid):
    """The uuids of the live groups ``instance_uuid`` is a member of (at
    most one: a server joins a group only at boot)."""
    query = (select(G.uuid).join(M, M.group_id == G.id)
             .where(M.instance_uuid == instance_uuid, G.deleted == 0)
             .order_by(G.id))
    with engine.reader(context) as session:
        return list(session.scalars(query))


def _group_id(conn, uuid):
    return conn.scalar(select(G.id).where(G.uuid == uuid,
                                             G.deleted == 0))


def _member_hosts(conn, group_id, exclude):
    query = (select(CN.host).join(ALLOC, ALLOC.compute_node_id == CN.id)
             .join(M, M.instance_uuid == ALLOC.consumer_uuid)
             .where(M.group_id == group_id))
    if exclude:
        query = query.where(ALLOC.consumer_uuid != exclude)
    return sorted(conn.scalars(query))


def is_hard(group):
    """Whether claims for ``group`` must be checked (hard policy)."""
    return bool(group) and group.get("policy") in HARD


def check_claim(conn, group, node_host, consumer_uuid):
    """Lock the group and check a member may go to ``node_host``.

    ``conn`` is a session or Core connection inside the claim's
    transaction. The lock is taken before anything is read, so even under
    REPEATABLE READ (MariaDB) the read sees every claim committed by the
    previous holder of the lock.

    :raises GroupConflict: the policy forbids it now.
    """
    if not is_hard(group):
        return
    locked = conn.execute(update(G).where(
        G.uuid == group["uuid"], G.deleted == 0).values(
        updated_at=timeutils.utcnow()))
    if locked.rowcount == 0:
        return
    hosts = _member_hosts(conn, _group_id(conn, group["uuid"]),
                          consumer_uuid)
    if group["policy"] == "affinity":
        if any(h != node_host for h in hosts):
            raise exception.GroupConflict(hosts=hosts)
        return
    limit = int((group.get("rules") or {}).get("max_server_per_host", 1))
    if hosts.count(node_host) >= limit:
        raise exception.GroupConflict(hosts=hosts)


def count(context):
    with engine.reader(context) as session:
        return session.scalar(select(func.count(G.id)).where(
            G.deleted == 0))
