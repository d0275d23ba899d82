"""Instance tags (Compute API 2.26)."""

from sqlalchemy import delete, func, select

from nimbus.core import exception
from nimbus.core.db import engine, models

T = models.InstanceTag


def tags_for(context, instance_uuids):
    """``{instance_uuid: [tag, ...]}`` (sorted) for the given instances."""
    found = {uuid: [] for uuid in instance_uuids}
    if not found:
        return found
    with engine.reader(context) as session:
        for uuid, tag in session.execute(
                select(T.instance_uuid, T.tag)
                .where(T.instance_uuid.in_(list(found)))
                .order_by(T.instance_uuid, T.tag)):
            found[uuid].append(tag)
    return found


def set_all(context, instance_uuid, tags):
    """Replace the instance's tags; return them sorted."""
    tags = sorted(set(tags))
    with engine.writer(context) as session:
        session.execute(delete(T).where(T.instance_uuid == instance_uuid))
        session.add_all([T(instance_uuid=instance_uuid, tag=t)
                         for t in tags])
    return tags


def add(context, instance_uuid, tag, limit):
    """Add one tag; return whether it is new.

    :raises Invalid: the instance has ``limit`` tags already.
    """
    with engine.writer(context) as session:
        have = set(session.scalars(
            select(T.tag).where(T.instance_uuid == instance_uuid)
            .with_for_update()))
        if tag in have:
            return False
        if len(have) >= limit:
            raise exception.Invalid(
                reason=f"The number of tags exceeded the per-server "
                       f"limit {limit}")
        session.add(T(instance_uuid=instance_uuid, tag=tag))
    return True


def remove(context, instance_uuid, tag):
    """:raises NotFound: the instance has no such tag."""
    with engine.writer(context) as session:
        gone = session.execute(delete(T).where(
            T.instance_uuid == instance_uuid, T.tag == tag)).rowcount
    if not gone:
        raise exception.NotFound(
            message=f"Server {instance_uuid} has no tag '{tag}'")


def remove_all(context, instance_uuid):
    with engine.writer(context) as session:
        session.execute(delete(T).where(T.instance_uuid == instance_uuid))


def matching(instance_column, tags, every):
    """A clause over ``instance_column`` (the instances' uuid): the
    instances with every one (``every``) or any of ``tags``."""
    query = select(T.instance_uuid).where(T.tag.in_(tags))
    if every:
        query = query.group_by(T.instance_uuid).having(
            func.count(T.tag) == len(set(tags)))
    return instance_column.in_(query)
