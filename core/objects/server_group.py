"""Server groups, for API dialects and the compute API.

Groups never cross RPC: the API records members at boot and puts the
group in the request spec; schedulers read members' hosts themselves.
Plain functions over ``db().server_groups`` returning ``dict`` rows.
"""

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.objects.base import db

POLICIES = ("affinity", "anti-affinity", "soft-affinity",
            "soft-anti-affinity")


def create(context, name, policy, rules=None):
    """:raises Invalid: unknown policy, or rules on a policy without."""
    if policy not in POLICIES:
        raise exception.Invalid(reason=f"policy must be one of "
                                       f"{', '.join(POLICIES)}")
    rules = dict(rules or {})
    if rules and policy != "anti-affinity":
        raise exception.Invalid(
            reason="rules are only allowed with the anti-affinity policy")
    if set(rules) - {"max_server_per_host"}:
        raise exception.Invalid(reason="the only rule is "
                                       "max_server_per_host")
    return db().server_groups.create(context, name, context.project_id,
                                     context.user_id, policy, rules)


def get(context, uuid):
    """:raises InstanceGroupNotFound: no such group, or another
    project's (unless admin)."""
    if not uuidutils.is_uuid_like(str(uuid)):
        raise exception.InstanceGroupNotFound(group_uuid=uuid)
    group = db().server_groups.get(context, uuid)
    if not context.is_admin and group["project_id"] != context.project_id:
        raise exception.InstanceGroupNotFound(group_uuid=uuid)
    return group


def get_all(context, all_projects=False):
    project = None if (all_projects and context.is_admin) \
        else context.project_id
    return db().server_groups.get_all(context, project_id=project)


def delete(context, uuid):
    get(context, uuid)
    db().server_groups.delete_group(context, uuid)


def for_boot(context, scheduler_hints):
    """Return the request-spec ``group`` for the ``group`` hint, or None.

    :raises Invalid: the hint names no group this project can use (400,
        before any instance is recorded).
    """
    uuid = (scheduler_hints or {}).get("group")
    if uuid is None:
        return None
    try:
        group = get(context, uuid)
    except exception.InstanceGroupNotFound:
        raise exception.Invalid(reason=f"Server group {uuid} not found.")
    return {"uuid": group["uuid"], "policy": group["policy"],
            "rules": group["rules"], "hosts": []}


def add_members(context, group, instance_uuids):
    """Record new instances as members of the request-spec ``group``."""
    if group:
        db().server_groups.add_members(context, group["uuid"],
                                       instance_uuids)
