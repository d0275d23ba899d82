"""Identity records: projects, users, roles, assignments, revocations."""

from oslo_utils import timeutils, uuidutils
from sqlalchemy import case, delete, or_, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict
from nimbus.core.exception import IdentityNotFound

P, U, R = models.Project, models.User, models.Role
RA, RT = models.RoleAssignment, models.RevokedToken


def _create(context, model, values, kind):
    values = dict(values)
    values.setdefault("id", uuidutils.generate_uuid(dashed=False))
    try:
        with engine.writer(context) as session:
            row = model(**values)
            session.add(row)
            session.flush()
            return to_dict(row)
    except DUPLICATE:
        raise exception.Conflict(
            reason=f"Duplicate {kind}: {values.get('name')}")


def _get(context, model, kind, ident=None, name=None, domain_id=None):
    query = select(model)
    if ident is not None:
        query = query.where(model.id == ident)
    if name is not None:
        query = query.where(model.name == name)
    if domain_id is not None:
        query = query.where(model.domain_id == domain_id)
    with engine.reader(context) as session:
        row = session.scalars(query).first()
    if row is None:
        raise IdentityNotFound(kind=kind, ident=ident or name)
    return to_dict(row)


def _list(context, model, name=None):
    query = select(model).order_by(model.name)
    if name is not None:
        query = query.where(model.name == name)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query)]


def _delete(context, model, kind, ident):
    with engine.writer(context) as session:
        if session.execute(delete(model).where(model.id == ident)
                           ).rowcount == 0:
            raise IdentityNotFound(kind=kind, ident=ident)


def create_project(context, values):
    return _create(context, P, values, "project")


def get_project(context, ident=None, name=None, domain_id=None):
    return _get(context, P, "project", ident, name, domain_id)


def list_projects(context, name=None):
    return _list(context, P, name)


def delete_project(context, ident):
    _delete(context, P, "project", ident)


def create_user(context, values):
    return _create(context, U, values, "user")


def get_user(context, ident=None, name=None, domain_id=None):
    return _get(context, U, "user", ident, name, domain_id)


def list_users(context, name=None):
    return _list(context, U, name)


def update_user(context, ident, values):
    with engine.writer(context) as session:
        row = session.get(U, ident)
        if row is None:
            raise IdentityNotFound(kind="user", ident=ident)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def record_auth_failure(context, ident, now, window_start):
    """Count a failed password login of user ``ident`` at ``now``, in one
    statement (API processes may count at once); the count starts again
    from 1 when the previous failure was before ``window_start``.

    :returns: the user's count of failures now.
    """
    fresh = or_(U.failed_auth_at.is_(None), U.failed_auth_at < window_start)
    with engine.writer(context) as session:
        session.execute(update(U).where(U.id == ident).values(
            failed_auth_count=case((fresh, 1),
                                   else_=U.failed_auth_count + 1),
            failed_auth_at=now))
        return session.scalar(select(U.failed_auth_count)
                              .where(U.id == ident)) or 0


def reset_auth_failures(context, ident):
    with engine.writer(context) as session:
        session.execute(update(U).where(U.id == ident).values(
            failed_auth_count=0, failed_auth_at=None))


def delete_user(context, ident):
    _delete(context, U, "user", ident)


def ensure_role(context, name):
    """Return the role called ``name``, creating it if missing."""
    try:
        return _get(context, R, "role", name=name)
    except IdentityNotFound:
        try:
            return _create(context, R, {"name": name}, "role")
        except exception.Conflict:
            return _get(context, R, "role", name=name)


def get_role(context, ident=None, name=None):
    return _get(context, R, "role", ident, name)


def list_roles(context, name=None):
    return _list(context, R, name)


def grant(context, user_id, project_id, role_id):
    """Give a role (idempotent, as Keystone's PUT is)."""
    try:
        with engine.writer(context) as session:
            session.add(RA(user_id=user_id, project_id=project_id,
                           role_id=role_id))
            session.flush()
    except DUPLICATE:
        pass


def revoke(context, user_id, project_id, role_id):
    with engine.writer(context) as session:
        result = session.execute(delete(RA).where(
            RA.user_id == user_id, RA.project_id == project_id,
            RA.role_id == role_id))
        if result.rowcount == 0:
            raise IdentityNotFound(kind="role assignment",
                                   ident=f"{user_id}/{project_id}")


def list_assignments(context, user_id=None, project_id=None):
    query = select(RA.user_id, RA.project_id, RA.role_id, R.name).join(
        R, R.id == RA.role_id)
    if user_id:
        query = query.where(RA.user_id == user_id)
    if project_id:
        query = query.where(RA.project_id == project_id)
    with engine.reader(context) as session:
        return [{"user_id": u, "project_id": p, "role_id": r,
                 "role_name": n} for u, p, r, n in session.execute(query)]


def token_state(context, user_id, project_id, audit_id):
    """What validating a token needs, in one statement.

    :returns: ``(roles, revoked)``: ``roles`` is None when the user (or
        the project) is missing or disabled, else ``[(id, name)]``.
    """
    revoked = select(RT.id).where(RT.audit_id == audit_id) \
        .scalar_subquery()
    query = select(U.enabled, R.id, R.name, revoked).select_from(U)
    if project_id:
        query = query.join(RA, (RA.user_id == U.id) &
                           (RA.project_id == project_id), isouter=True) \
            .join(R, R.id == RA.role_id, isouter=True) \
            .join(P, P.id == project_id).where(P.enabled.is_(True))
    else:
        query = query.join(R, R.id.is_(None), isouter=True)
    with engine.reader(context) as session:
        rows = list(session.execute(query.where(U.id == user_id)))
    if not rows or not rows[0][0]:
        return None, False
    roles = [(rid, name) for _, rid, name, _ in rows if rid is not None]
    return roles, rows[0][3] is not None


def revoke_token(context, audit_id, expires_at):
    try:
        with engine.writer(context) as session:
            session.add(RT(audit_id=audit_id, expires_at=expires_at))
    except DUPLICATE:
        pass


def purge_revocations(context):
    """Forget revocations of tokens that have expired anyway."""
    with engine.writer(context) as session:
        session.execute(delete(RT).where(RT.expires_at < timeutils.utcnow()))
