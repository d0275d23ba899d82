"""Quota and limit operations for API dialects (os-quota-sets, limits)."""

from nimbus.core import exception, quota


class QuotaAPI:
    """Show, set and reset project quotas; report absolute limits.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota.Quotas(conf, db)

    def defaults(self, context):
        return self.quotas.class_limits(context, quota.DEFAULT_CLASS)

    def show_class(self, context, class_name):
        return self.quotas.class_limits(context, class_name)

    def update_class(self, context, class_name, values):
        """Set a quota class's limits (``default``: every project's).

        :raises Invalid: unknown resource or a limit below -1.
        """
        self._check_values(values)
        self.db.quotas.set_class(context, class_name, values)
        return self.show_class(context, class_name)

    @staticmethod
    def _check_values(values):
        unknown = set(values) - set(quota.RESOURCES)
        if unknown:
            raise exception.Invalid(
                reason=f"Bad quota keys: {', '.join(sorted(unknown))}")
        for resource, limit in values.items():
            if limit < quota.UNLIMITED:
                raise exception.Invalid(
                    reason=f"Quota limit {limit} for {resource} must be "
                           f"-1 (unlimited) or more")

    def show(self, context, project_id, user_id=None):
        return self.quotas.limits(context, project_id)

    def detail(self, context, project_id, user_id=None):
        """``{resource: {"limit", "in_use", "reserved"}}``."""
        limits = self.quotas.limits(context, project_id)
        used = self.quotas.usage(context, project_id,
                                 user_id or context.user_id)
        return {r: {"limit": limits[r], "in_use": used.get(r, 0),
                    "reserved": 0} for r in limits}

    def update(self, context, project_id, values, force=False):
        """Set limits; unless ``force``, a limit below usage is refused.

        :raises Invalid: unknown resource or limit below current usage.
        """
        self._check_values(values)
        if not force:
            used = self.quotas.usage(context, project_id)
            for resource, limit in values.items():
                if limit != quota.UNLIMITED and \
                        used.get(resource, 0) > limit:
                    raise exception.Invalid(
                        reason=f"Quota limit {limit} for {resource} must "
                               f"be greater than or equal to already used "
                               f"and reserved {used.get(resource, 0)}.")
        self.db.quotas.set_project(context, project_id, values)
        return self.show(context, project_id)

    def delete(self, context, project_id, resources=None):
        """Back to the defaults (only ``resources`` when given)."""
        self.db.quotas.delete_project(context, project_id, resources)

    def absolute_limits(self, context, project_id):
        """Nova's ``limits.absolute`` body of a project."""
        limits = self.quotas.limits(context, project_id)
        used = self.quotas.usage(context, project_id, context.user_id)
        return {
            "maxTotalInstances": limits["instances"],
            "maxTotalCores": limits["cores"],
            "maxTotalRAMSize": limits["ram"],
            "maxTotalKeypairs": limits["key_pairs"],
            "maxServerMeta": limits["metadata_items"],
            "maxServerGroups": limits["server_groups"],
            "maxServerGroupMembers": limits["server_group_members"],
            "maxImageMeta": 128, "maxPersonality": 5,
            "maxPersonalitySize": 10240,
            # The network service's quotas (Neutron's names) under
            # Nova's; unlimited where no such quota is configured.
            "maxSecurityGroups": limits.get("security_group", -1),
            "maxSecurityGroupRules": limits.get("security_group_rule",
                                                -1),
            "maxTotalFloatingIps": limits.get("floatingip", -1),
            "totalInstancesUsed": used["instances"],
            "totalCoresUsed": used["cores"],
            "totalRAMUsed": used["ram"],
            "totalServerGroupsUsed": used["server_groups"],
            "totalSecurityGroupsUsed": used.get("security_group", 0),
            "totalFloatingIpsUsed": used.get("floatingip", 0),
        }
