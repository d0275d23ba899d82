"""Server groups in the compute API: create, show, list, delete, and the
``group`` scheduler hint at boot.

:class:`ServerGroupsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`.
"""

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.objects import instance_group as group_obj

POLICIES = ("affinity", "anti-affinity", "soft-affinity",
            "soft-anti-affinity")


def check_policy(policy, rules):
    """:raises Invalid: unknown policy, or rules on a policy without."""
    if policy not in POLICIES:
        raise exception.Invalid(reason=f"policy must be one of "
                                       f"{', '.join(POLICIES)}")
    if rules and policy != "anti-affinity":
        raise exception.Invalid(
            reason="rules are only allowed with the anti-affinity policy")
    if set(rules) - {"max_server_per_host"}:
        raise exception.Invalid(reason="the only rule is "
                                       "max_server_per_host")


class ServerGroupsMixin:
    """Server group operations of the compute API."""

    def create_server_group(self, context, name, policy, rules=None):
        """Record a group of the caller's project and user.

        :raises Invalid: unknown policy, or rules it does not take.
        """
        rules = dict(rules or {})
        check_policy(policy, rules)
        group = group_obj.InstanceGroup(
            context, name=name, project_id=context.project_id,
            user_id=context.user_id, policy=policy, rules=rules)
        group.create()
        return group

    def get_server_group(self, context, uuid):
        """:raises InstanceGroupNotFound: no such group, or another
            project's (unless admin)."""
        if not uuidutils.is_uuid_like(str(uuid)):
            raise exception.InstanceGroupNotFound(group_uuid=uuid)
        group = group_obj.InstanceGroup.get_by_uuid(context, uuid)
        if not context.is_admin and group.project_id != context.project_id:
            raise exception.InstanceGroupNotFound(group_uuid=uuid)
        return group

    def list_server_groups(self, context, all_projects=False):
        """The caller's project's groups (every project's for an admin
        asking for ``all_projects``)."""
        project = None if (all_projects and context.is_admin) \
            else context.project_id
        return group_obj.InstanceGroupList.get_all(context,
                                                   project_id=project)

    def delete_server_group(self, context, uuid):
        """:raises InstanceGroupNotFound: see :meth:`get_server_group`."""
        self.get_server_group(context, uuid).destroy()

    def server_groups_of(self, context, instance_uuid):
        """The uuids of the groups the server is in (2.71's
        ``server_groups``: at most one)."""
        return self.db.server_groups.groups_of(context, instance_uuid)

    def _group_for_boot(self, context, scheduler_hints):
        """Return the request-spec ``group`` for the ``group`` hint, or
        None.

        :raises Invalid: the hint names no group this project can use
            (400, before any instance is recorded).
        """
        uuid = (scheduler_hints or {}).get("group")
        if uuid is None:
            return None
        try:
            group = self.get_server_group(context, uuid)
        except exception.InstanceGroupNotFound:
            raise exception.Invalid(reason=f"Server group {uuid} not found.")
        return {"uuid": group.uuid, "policy": group.policy,
                "rules": dict(group.rules), "hosts": []}

    def _add_group_members(self, context, group, instance_uuids):
        """Record new instances as members of the request-spec
        ``group``."""
        if group:
            group_obj.InstanceGroup.add_members(context, group["uuid"],
                                                instance_uuids)
