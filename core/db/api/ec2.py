"""The EC2 dialect's rows: credentials, EC2 ids and tags."""

from sqlalchemy import delete, select

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, fits_integer, to_dict

C = models.Ec2Credential
E = models.Ec2Id
T = models.Ec2Tag


# -- credentials -------------------------------------------------------------

def credential_create(context, values):
    with engine.writer(context) as session:
        row = C(**values)
        session.add(row)
        session.flush()
        return to_dict(row)


def credential_get(context, access):
    """:raises NotFound: no such access key."""
    with engine.reader(context) as session:
        row = session.get(C, access)
        if row is None:
            raise exception.NotFound(message="EC2 access key not found.")
        return to_dict(row)


def credential_get_all(context, user_id):
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(
            select(C).where(C.user_id == user_id).order_by(C.created_at))]


def credential_destroy(context, access):
    with engine.writer(context) as session:
        done = session.execute(delete(C).where(C.access == access))
        if not done.rowcount:
            raise exception.NotFound(message="EC2 access key not found.")


# -- ids ---------------------------------------------------------------------

def id_for(context, prefix, uuid):
    """Return the integer id of ``(prefix, uuid)``, creating it once."""
    query = select(E.id).where(E.prefix == prefix, E.uuid == uuid)
    with engine.reader(context) as session:
        found = session.scalars(query).first()
    if found is not None:
        return found
    try:
        with engine.writer(context) as session:
            row = E(prefix=prefix, uuid=uuid)
            session.add(row)
            session.flush()
            return row.id
    except DUPLICATE:  # a concurrent request created it first
        with engine.reader(context) as session:
            return session.scalars(query).one()


def ids_for(context, prefix, uuids):
    """``{uuid: id}`` for many objects of one kind, creating the missing
    ones in one transaction."""
    uuids = list(dict.fromkeys(uuids))
    if not uuids:
        return {}
    with engine.reader(context) as session:
        found = {r.uuid: r.id for r in session.execute(
            select(E.uuid, E.id).where(E.prefix == prefix,
                                       E.uuid.in_(uuids)))}
    missing = [u for u in uuids if u not in found]
    if not missing:
        return found
    try:
        with engine.writer(context) as session:
            rows = [E(prefix=prefix, uuid=u) for u in missing]
            session.add_all(rows)
            session.flush()
            found.update((r.uuid, r.id) for r in rows)
    except DUPLICATE:  # a concurrent request created some: one by one
        for uuid in missing:
            found[uuid] = id_for(context, prefix, uuid)
    return found


def uuid_of(context, prefix, ident):
    """The uuid behind ``(prefix, integer id)``, or None (also for an id
    of up to 17 hex digits beyond what the column holds)."""
    if not fits_integer(ident):
        return None
    with engine.reader(context) as session:
        return session.scalars(select(E.uuid).where(
            E.prefix == prefix, E.id == ident)).first()


def uuids_of(context, prefix, idents):
    """``{integer id: uuid}`` of those of ``idents`` that exist."""
    idents = [i for i in dict.fromkeys(idents) if fits_integer(i)]
    if not idents:
        return {}
    with engine.reader(context) as session:
        return {r.id: r.uuid for r in session.execute(
            select(E.id, E.uuid).where(E.prefix == prefix,
                                       E.id.in_(idents)))}


# -- tags --------------------------------------------------------------------

def tag_set(context, project_id, resource_ids, tags):
    with engine.writer(context) as session:
        for resource_id in resource_ids:
            for key, value in tags:
                row = session.scalars(select(T).where(
                    T.project_id == project_id,
                    T.resource_id == resource_id, T.key == key)).first()
                if row is None:
                    session.add(T(project_id=project_id,
                                  resource_id=resource_id, key=key,
                                  value=value))
                else:
                    row.value = value


def tag_delete(context, project_id, resource_ids, tags):
    """Delete tags: ``tags`` is ``[(key, value or None)]``; an empty list
    deletes every tag of the resources; a value only matching ones."""
    with engine.writer(context) as session:
        query = delete(T).where(T.project_id == project_id,
                                T.resource_id.in_(list(resource_ids)))
        if not tags:
            session.execute(query)
            return
        for key, value in tags:
            clause = query.where(T.key == key)
            if value is not None:
                clause = clause.where(T.value == value)
            session.execute(clause)


def tag_get_all(context, project_id, resource_ids=None):
    query = select(T).where(T.project_id == project_id)
    if resource_ids is not None:
        query = query.where(T.resource_id.in_(list(resource_ids)))
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(
            query.order_by(T.resource_id, T.key))]
