"""Flavors, their extra specs and project access."""

from sqlalchemy import bindparam, delete, func, or_, select

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict

F = models.Flavor
S = models.FlavorExtraSpec
P = models.FlavorProject


def _with_specs(session, row):
    flavor = to_dict(row)
    flavor["extra_specs"] = {
        s.key: s.value for s in session.scalars(
            select(models.FlavorExtraSpec).where(
                models.FlavorExtraSpec.flavor_id == row.id))}
    return flavor


def create(context, values, extra_specs=None, projects=()):
    try:
        with engine.writer(context) as session:
            row = F(**values)
            session.add(row)
            session.flush()
            for key, value in (extra_specs or {}).items():
                session.add(models.FlavorExtraSpec(
                    flavor_id=row.id, key=key, value=value))
            for project_id in projects:
                session.add(models.FlavorProject(
                    flavor_id=row.id, project_id=project_id))
            session.flush()
            return _with_specs(session, row)
    except DUPLICATE:
        raise exception.FlavorExists(
            key="id or name",
            value=f"{values.get('flavorid')}/{values.get('name')}")


#: a flavor and its extra specs in one statement, of table columns (no
#: ORM entities: read on every boot)
_BY_FLAVORID = select(
    F.__table__, S.key.label("extra_spec_key"),
    S.value.label("extra_spec_value")).outerjoin(
        S, S.flavor_id == F.id).where(F.flavorid == bindparam("flavorid"))


def get_by_flavorid(context, flavorid):
    with engine.reader(context, connection=True) as session:
        rows = session.execute(_BY_FLAVORID,
                               {"flavorid": str(flavorid)}).all()
    if not rows:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    flavor = {column.key: rows[0]._mapping[column]
              for column in F.__table__.c}
    flavor["extra_specs"] = {row.extra_spec_key: row.extra_spec_value
                             for row in rows
                             if row.extra_spec_key is not None}
    return flavor


def get_all(context, is_public=True, project_id=None, min_ram=None,
            min_disk=None, limit=None, marker=None):
    """List flavors ordered by flavorid, the way Nova sorts them.

    :param is_public: True: public ones (plus those shared with
        ``project_id``); False: private ones; None: all.
    """
    query = select(F).where(F.disabled.is_(False))
    if is_public is True:
        clause = F.is_public.is_(True)
        if project_id:
            shared = select(models.FlavorProject.flavor_id).where(
                models.FlavorProject.project_id == project_id)
            clause = or_(clause, F.id.in_(shared))
        query = query.where(clause)
    elif is_public is False:
        query = query.where(F.is_public.is_(False))
    if min_ram:
        query = query.where(F.memory_mb >= min_ram)
    if min_disk:
        query = query.where(F.root_gb >= min_disk)
    with engine.reader(context) as session:
        rows = list(session.scalars(query.order_by(F.memory_mb, F.id)))
        if marker is not None:
            ids = [r.flavorid for r in rows]
            if marker not in ids:
                raise exception.InvalidInput(
                    reason=f"marker {marker} not found")
            rows = rows[ids.index(marker) + 1:]
        if limit:
            rows = rows[:limit]
        specs = _specs_for(session, [r.id for r in rows])
        result = []
        for row in rows:
            flavor = to_dict(row)
            flavor["extra_specs"] = specs.get(row.id, {})
            result.append(flavor)
        return result


def _specs_for(session, ids):
    specs = {}
    if not ids:
        return specs
    for spec in session.scalars(select(models.FlavorExtraSpec).where(
            models.FlavorExtraSpec.flavor_id.in_(ids))):
        specs.setdefault(spec.flavor_id, {})[spec.key] = spec.value
    return specs


def destroy(context, flavorid):
    with engine.writer(context) as session:
        row = session.scalars(select(F).where(
            F.flavorid == str(flavorid))).first()
        if row is None:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        session.execute(delete(models.FlavorExtraSpec).where(
            models.FlavorExtraSpec.flavor_id == row.id))
        session.execute(delete(models.FlavorProject).where(
            models.FlavorProject.flavor_id == row.id))
        session.delete(row)


def count(context):
    with engine.reader(context) as session:
        return session.scalar(select(func.count(F.id)))


def _flavor_row(session, flavorid):
    row = session.scalars(select(F).where(F.flavorid == str(flavorid))
                          ).first()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def update_description(context, flavorid, description):
    """Set the flavor's description (None removes it); return the
    flavor."""
    with engine.writer(context) as session:
        row = _flavor_row(session, flavorid)
        row.description = description
        session.flush()
        return _with_specs(session, row)


def set_extra_specs(context, flavorid, specs):
    """Create or update extra specs; return all of them."""
    with engine.writer(context) as session:
        row = _flavor_row(session, flavorid)
        current = {s.key: s for s in session.scalars(
            select(S).where(S.flavor_id == row.id))}
        for key, value in specs.items():
            if key in current:
                current[key].value = value
            else:
                session.add(S(flavor_id=row.id, key=key, value=value))
        session.flush()
        return _with_specs(session, row)["extra_specs"]


def delete_extra_spec(context, flavorid, key):
    with engine.writer(context) as session:
        row = _flavor_row(session, flavorid)
        result = session.execute(delete(S).where(S.flavor_id == row.id,
                                                 S.key == key))
        if result.rowcount == 0:
            raise exception.NotFound(
                message=f"Flavor {flavorid} has no extra specs with key "
                        f"{key}.")


def get_projects(context, flavorid):
    with engine.reader(context) as session:
        row = _flavor_row(session, flavorid)
        return [p.project_id for p in session.scalars(
            select(P).where(P.flavor_id == row.id).order_by(P.id))]


def add_project(context, flavorid, project_id):
    try:
        with engine.writer(context) as session:
            row = _flavor_row(session, flavorid)
            session.add(P(flavor_id=row.id, project_id=project_id))
            session.flush()
    except DUPLICATE:
        raise exception.Conflict(
            reason=f"Flavor access already exists for flavor {flavorid} "
                   f"and project {project_id} combination.")


def remove_project(context, flavorid, project_id):
    with engine.writer(context) as session:
        row = _flavor_row(session, flavorid)
        result = session.execute(delete(P).where(
            P.flavor_id == row.id, P.project_id == project_id))
        if result.rowcount == 0:
            raise exception.NotFound(
                message=f"Flavor access not found for {flavorid} / "
                        f"{project_id} combination.")
