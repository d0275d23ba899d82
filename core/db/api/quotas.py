"""Per-project quota overrides and resource usage counts."""

from sqlalchemy import bindparam, delete, func, literal, select, union_all

from nimbus.core.db import engine, models

Q = models.Quota
C = models.QuotaClass
G = models.InstanceGroup
I = models.Instance  # noqa: E741 - a table alias, as in SQL


# Per-project limits (Q, by project_id) and quota-class limits (C, by
# class_name) are kept alike: one row per (owner, resource).
_OWNER = {Q: "project_id", C: "class_name"}


def _limits_of(model, param):
    """The read of one owner's ``(resource, hard_limit)`` rows, the owner
    bound as ``param``."""
    table = model.__table__
    return select(table.c.resource, table.c.hard_limit).where(
        table.c[_OWNER[model]] == bindparam(param))


#: ``{model: the read of one owner's limits}``, built once.
_LIMITS = {model: _limits_of(model, "owner") for model in _OWNER}
#: Both owners' limits in one statement (a create reads them on every
#: request), each row tagged with its owner's table.
_BOTH_LIMITS = union_all(*(
    _limits_of(model, owner).add_columns(
        literal(model.__tablename__).label("owner"))
    for model, owner in _OWNER.items()))


def _limits(session, model, owner):
    return {resource: limit for resource, limit in
            session.execute(_LIMITS[model], {"owner": owner})}


def _set_limits(context, model, owner, limits):
    column = getattr(model, _OWNER[model])
    with engine.writer(context) as session:
        rows = {r.resource: r for r in session.scalars(
            select(model).where(column == owner))}
        for resource, limit in limits.items():
            if resource in rows:
                rows[resource].hard_limit = limit
            else:
                session.add(model(**{_OWNER[model]: owner},
                                  resource=resource, hard_limit=limit))


def get_project(context, project_id):
    """Return ``{resource: hard_limit}`` set for ``project_id``."""
    with engine.reader(context) as session:
        return _limits(session, Q, project_id)


def get_limits(context, project_id, class_name="default"):
    """Return ``(class limits, project limits)``, each
    ``{resource: hard_limit}``, read in one transaction."""
    found = {C.__tablename__: {}, Q.__tablename__: {}}
    with engine.reader(context, connection=True) as session:
        for resource, limit, owner in session.execute(
                _BOTH_LIMITS, {"class_name": class_name,
                               "project_id": project_id}):
            found[owner][resource] = limit
    return found[C.__tablename__], found[Q.__tablename__]


def get_class(context, class_name):
    """Return ``{resource: hard_limit}`` set for a quota class."""
    with engine.reader(context) as session:
        return _limits(session, C, class_name)


def set_class(context, class_name, limits):
    """Create or update a quota class's limits (``{resource: int}``)."""
    _set_limits(context, C, class_name, limits)


def set_project(context, project_id, limits):
    """Create or update the project's limits (``{resource: int}``)."""
    _set_limits(context, Q, project_id, limits)


def delete_project(context, project_id, resources=None):
    """Remove the project's limits (only ``resources`` when given)."""
    query = delete(Q).where(Q.project_id == project_id)
    if resources is not None:
        query = query.where(Q.resource.in_(list(resources)))
    with engine.writer(context) as session:
        session.execute(query)


def instance_usage(context, project_id):
    """Return ``{"instances", "cores", "ram"}`` used by live instances."""
    query = select(func.count(I.id), func.coalesce(func.sum(I.vcpus), 0),
                   func.coalesce(func.sum(I.memory_mb), 0)).where(
        I.project_id == project_id, I.deleted == 0)
    with engine.reader(context) as session:
        count, cores, ram = session.execute(query).one()
    return {"instances": count, "cores": int(cores), "ram": int(ram)}


def key_pair_usage(context, user_id):
    with engine.reader(context) as session:
        return session.scalar(select(func.count(models.KeyPair.id)).where(
            models.KeyPair.user_id == user_id))


def server_group_usage(context, project_id):
    with engine.reader(context) as session:
        return session.scalar(select(func.count(G.id)).where(
            G.project_id == project_id, G.deleted == 0))


#: Neutron's quota name -> its count for a project, built once (a boot
#: counts the project's ports).
_NETWORK_COUNTS = {
    name: select(func.count(model.__table__.c.id)).where(
        model.__table__.c.project_id == bindparam("project_id"))
    for name, model in (("network", models.Network), ("port", models.Port),
                        ("floatingip", models.FloatingIp),
                        ("security_group", models.SecurityGroup),
                        ("security_group_rule", models.SecurityGroupRule))}


def network_usage(context, project_id, resources=None):
    """Return the project's networking records by Neutron's quota names:
    ``{"network", "port", "floatingip", "security_group",
    "security_group_rule"}`` (only ``resources`` among them when given:
    a boot's port check counts ports alone)."""
    counted = _NETWORK_COUNTS.items()
    if resources is not None:
        counted = [(n, q) for n, q in counted if n in resources]
    with engine.reader(context) as session:
        return {name: session.scalar(query, {"project_id": project_id})
                for name, query in counted}
