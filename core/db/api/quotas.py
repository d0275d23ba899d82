"""Per-project quota overrides and resource usage counts."""

from sqlalchemy import delete, func, select

from nimbus.core.db import engine, models

Q = models.Quota
G = models.InstanceGroup
I = models.Instance  # noqa: E741 - a table alias, as in SQL


def get_project(context, project_id):
    """Return ``{resource: hard_limit}`` set for ``project_id``."""
    with engine.reader(context) as session:
        return {r.resource: r.hard_limit for r in session.scalars(
            select(Q).where(Q.project_id == project_id))}


def set_project(context, project_id, limits):
    """Create or update the project's limits (``{resource: int}``)."""
    with engine.writer(context) as session:
        rows = {r.resource: r for r in session.scalars(
            select(Q).where(Q.project_id == project_id))}
        for resource, limit in limits.items():
            if resource in rows:
                rows[resource].hard_limit = limit
            else:
                session.add(Q(project_id=project_id, resource=resource,
                              hard_limit=limit))


def delete_project(context, project_id):
    with engine.writer(context) as session:
        session.execute(delete(Q).where(Q.project_id == project_id))


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
