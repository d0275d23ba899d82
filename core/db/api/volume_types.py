"""Volume types, their extra specs and project access.

A type dict is the ``volume_types`` row plus ``extra_specs`` (a dict).
Names are unique among live types. A type live volumes still refer to
cannot be deleted (checked in the deleting statement's transaction);
renaming a type renames it in its volumes' ``volume_type`` column in
the same transaction, so volume views need no join.
"""

from oslo_utils import timeutils
from sqlalchemy import delete, exists, or_, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict

T = models.VolumeType
E = models.VolumeTypeExtraSpec
P = models.VolumeTypeProject
V = models.Volume


def _specs(session, type_ids):
    by_type = {i: {} for i in type_ids}
    if type_ids:
        for row in session.execute(select(E.volume_type_id, E.key, E.value)
                                   .where(E.volume_type_id.in_(type_ids))):
            by_type[row.volume_type_id][row.key] = row.value
    return by_type


def _with_specs(session, rows):
    specs = _specs(session, [r.id for r in rows])
    out = []
    for row in rows:
        item = to_dict(row)
        item["extra_specs"] = specs[row.id]
        out.append(item)
    return out


def create_type(context, values, extra_specs=None):
    """Insert a type (``values``: ``id``, ``name``, ``description``,
    ``is_public``) with its extra specs.

    :raises VolumeTypeExists: a live type has that name.
    """
    now = timeutils.utcnow()
    try:
        with engine.writer(context) as session:
            taken = session.scalar(select(T.id).where(
                T.name == values["name"], T.deleted == 0))
            if taken is not None:
                raise exception.VolumeTypeExists(name=values["name"])
            row = T(created_at=now, deleted=0, **values)
            session.add(row)
            for key, value in (extra_specs or {}).items():
                session.add(E(volume_type_id=values["id"], key=key,
                              value=value))
            session.flush()
            return _with_specs(session, [row])[0]
    except DUPLICATE:
        raise exception.VolumeTypeExists(name=values["name"])


def get_type(context, type_id):
    """:raises VolumeTypeNotFound:"""
    with engine.reader(context) as session:
        row = session.scalars(select(T).where(T.id == type_id,
                                              T.deleted == 0)).first()
        if row is None:
            raise exception.VolumeTypeNotFound(volume_type_id=type_id)
        return _with_specs(session, [row])[0]


def get_type_by_name(context, name):
    """:raises VolumeTypeNotFound:"""
    with engine.reader(context) as session:
        row = session.scalars(select(T).where(T.name == name,
                                              T.deleted == 0)).first()
        if row is None:
            raise exception.VolumeTypeNotFound(volume_type_id=name)
        return _with_specs(session, [row])[0]


def get_types(context, is_public=None, project_id=None):
    """Live types sorted by name.

    :param is_public: True/False: only public/private ones; None: both.
    :param project_id: when given, only the public types and the private
        ones this project was given access to.
    """
    query = select(T).where(T.deleted == 0)
    if is_public is not None:
        query = query.where(T.is_public.is_(bool(is_public)))
    if project_id is not None:
        query = query.where(or_(T.is_public.is_(True), exists().where(
            P.volume_type_id == T.id, P.project_id == project_id)))
    with engine.reader(context) as session:
        return _with_specs(session, list(session.scalars(
            query.order_by(T.name, T.id))))


def has_access(context, type_id, project_id):
    """Whether ``project_id`` was given access to a (private) type."""
    with engine.reader(context) as session:
        return session.scalar(select(P.id).where(
            P.volume_type_id == type_id,
            P.project_id == project_id)) is not None


def update_type(context, type_id, values):
    """Change ``name``, ``description`` or ``is_public``.

    :raises VolumeTypeNotFound, VolumeTypeExists:
    """
    values = dict(values, updated_at=timeutils.utcnow())
    try:
        with engine.writer(context) as session:
            if "name" in values:
                taken = session.scalar(select(T.id).where(
                    T.name == values["name"], T.deleted == 0,
                    T.id != type_id))
                if taken is not None:
                    raise exception.VolumeTypeExists(name=values["name"])
            result = session.execute(
                update(T).where(T.id == type_id, T.deleted == 0)
                .values(**values)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                raise exception.VolumeTypeNotFound(volume_type_id=type_id)
            if "name" in values:
                session.execute(
                    update(V).where(V.volume_type_id == type_id)
                    .values(volume_type=values["name"])
                    .execution_options(synchronize_session=False))
            row = session.scalars(select(T).where(T.id == type_id)).one()
            return _with_specs(session, [row])[0]
    except DUPLICATE:
        raise exception.VolumeTypeExists(name=values.get("name"))


def destroy_type(context, type_id):
    """Soft-delete a type no live volume uses (its specs and access rows
    go).

    :raises VolumeTypeNotFound:
    :raises VolumeTypeInUse: a live volume has the type.
    """
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        result = session.execute(
            update(T).where(T.id == type_id, T.deleted == 0,
                            ~exists().where(V.volume_type_id == T.id,
                                            V.deleted == 0))
            .values(deleted=1, deleted_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            if session.scalar(select(T.id).where(
                    T.id == type_id, T.deleted == 0)) is None:
                raise exception.VolumeTypeNotFound(volume_type_id=type_id)
            raise exception.VolumeTypeInUse(volume_type_id=type_id)
        session.execute(delete(E).where(E.volume_type_id == type_id))
        session.execute(delete(P).where(P.volume_type_id == type_id))


def _live(session, type_id):
    if session.scalar(select(T.id).where(T.id == type_id,
                                         T.deleted == 0)) is None:
        raise exception.VolumeTypeNotFound(volume_type_id=type_id)


def set_extra_specs(context, type_id, specs):
    """Add or change extra specs; return all of the type's.

    :raises VolumeTypeNotFound:
    """
    with engine.writer(context) as session:
        _live(session, type_id)
        have = _specs(session, [type_id])[type_id]
        for key, value in specs.items():
            if key in have:
                session.execute(update(E).where(
                    E.volume_type_id == type_id, E.key == key)
                    .values(value=value)
                    .execution_options(synchronize_session=False))
            else:
                session.add(E(volume_type_id=type_id, key=key, value=value))
        session.flush()
        return _specs(session, [type_id])[type_id]


def delete_extra_spec(context, type_id, key):
    """:raises VolumeTypeNotFound, VolumeTypeExtraSpecNotFound:"""
    with engine.writer(context) as session:
        _live(session, type_id)
        result = session.execute(delete(E).where(
            E.volume_type_id == type_id, E.key == key))
        if result.rowcount != 1:
            raise exception.VolumeTypeExtraSpecNotFound(
                volume_type_id=type_id, key=key)


def get_access(context, type_id):
    """Project ids given access to a type, sorted."""
    with engine.reader(context) as session:
        _live(session, type_id)
        return sorted(session.scalars(select(P.project_id).where(
            P.volume_type_id == type_id)))


def add_access(context, type_id, project_id):
    """:raises VolumeTypeNotFound, VolumeTypeAccessExists:"""
    try:
        with engine.writer(context) as session:
            _live(session, type_id)
            if session.scalar(select(P.id).where(
                    P.volume_type_id == type_id,
                    P.project_id == project_id)) is not None:
                raise exception.VolumeTypeAccessExists(
                    volume_type_id=type_id, project_id=project_id)
            session.add(P(volume_type_id=type_id, project_id=project_id))
    except DUPLICATE:
        raise exception.VolumeTypeAccessExists(volume_type_id=type_id,
                                               project_id=project_id)


def remove_access(context, type_id, project_id):
    """:raises VolumeTypeNotFound, VolumeTypeAccessNotFound:"""
    with engine.writer(context) as session:
        _live(session, type_id)
        result = session.execute(delete(P).where(
            P.volume_type_id == type_id, P.project_id == project_id))
        if result.rowcount != 1:
            raise exception.VolumeTypeAccessNotFound(
                volume_type_id=type_id, project_id=project_id)
