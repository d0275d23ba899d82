"""Quotas: per-project limits, counted from what exists, never reserved.

Limits come from ``[quota]``, overridden for every project by the
``default`` quota class (``os-quota-class-sets/default``), and for one
project by its own (``os-quota-sets``). Usage is counted from the database at check time, as
Nova does since Pike. Creation is checked twice: before the records are
written and again after (``recheck``), so two concurrent requests that
both passed the first check cannot both stay: the one that finds the
limit exceeded afterwards removes what it wrote and fails.
"""

from nimbus.core.exception import OverQuota

#: Networking resources, by Neutron's names (counted per project).
NETWORK_RESOURCES = ("network", "port", "floatingip", "security_group",
                     "security_group_rule")
#: the block storage resources (counted by :meth:`Quotas.volume_usage`).
VOLUME_RESOURCES = ("volumes", "gigabytes", "snapshots")
RESOURCES = ("instances", "cores", "ram", "key_pairs", "metadata_items",
             "server_groups", "server_group_members") + NETWORK_RESOURCES \
    + VOLUME_RESOURCES
UNLIMITED = -1
#: the quota class whose limits every project starts from.
DEFAULT_CLASS = "default"


def defaults(conf):
    return {r: getattr(conf.quota, r) for r in RESOURCES}


class Quotas:
    """Limits and usage of projects, over the database API given.

    :param conf: the configuration (``[quota]`` defaults).
    :param db: the database API (:mod:`nimbus.core.db.api`).
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def limits(self, context, project_id):
        """Return the effective ``{resource: limit}`` of a project."""
        values = defaults(self.conf)
        classes, project = self.db.quotas.get_limits(context, project_id)
        values.update(classes)
        values.update(project)
        return values

    def class_limits(self, context, class_name):
        """The limits of a quota class: the configured defaults, under
        the ``default`` class's, under the class's own."""
        values = defaults(self.conf)
        values.update(self.db.quotas.get_class(context, DEFAULT_CLASS))
        if class_name != DEFAULT_CLASS:
            values.update(self.db.quotas.get_class(context, class_name))
        return values

    def usage(self, context, project_id, user_id=None):
        used = self.db.quotas.instance_usage(context, project_id)
        used["server_groups"] = self.db.quotas.server_group_usage(
            context, project_id)
        used.update(self.db.quotas.network_usage(context, project_id))
        used.update(self.volume_usage(context, project_id))
        if user_id is not None:
            used["key_pairs"] = self.db.quotas.key_pair_usage(context,
                                                              user_id)
        return used

    def _usage_of(self, context, project_id, resources, user_id):
        """Usage of ``resources`` only: each area costs its own queries,
        and a boot must not count volumes and ports."""
        if resources <= set(VOLUME_RESOURCES):
            return self.volume_usage(context, project_id)
        if resources <= set(NETWORK_RESOURCES):
            return self.db.quotas.network_usage(context, project_id,
                                                resources)
        if resources <= {"instances", "cores", "ram"}:
            return self.db.quotas.instance_usage(context, project_id)
        return self.usage(context, project_id, user_id)

    def volume_usage(self, context, project_id):
        """``{"volumes", "gigabytes", "snapshots"}`` in use."""
        return self.db.volumes.usage(context, project_id)

    def check(self, context, project_id, deltas, user_id=None,
              already_added=False, limits=None):
        """Raise :class:`OverQuota` unless ``deltas`` fit the limits.

        :param deltas: ``{resource: amount}`` requested.
        :param already_added: the resources are already recorded (the
            recheck), so usage includes them.
        :param limits: the project's :meth:`limits`, when the caller has
            read them for this request already.
        :returns: whether any of the resources is limited (when none
            is, a recheck after recording has nothing to count).
        :raises OverQuota: a resource would go over its limit.
        """
        allowed = limits or self.limits(context, project_id)
        if all(allowed.get(r, UNLIMITED) == UNLIMITED for r in deltas):
            return False  # nothing to count against
        used = self._usage_of(context, project_id, set(deltas), user_id)
        over = []
        for resource, amount in deltas.items():
            limit = allowed.get(resource, UNLIMITED)
            current = used.get(resource, 0)
            total = current if already_added else current + amount
            if limit != UNLIMITED and total > limit:
                over.append(resource)
        if over:
            raise OverQuota(
                resources=", ".join(over),
                requested=", ".join(str(deltas[r]) for r in over),
                used=", ".join(str(used.get(r, 0) - (
                    deltas[r] if already_added else 0)) for r in over),
                allowed=", ".join(str(allowed[r]) for r in over))
        return True

    def check_metadata(self, context, project_id, metadata, limits=None):
        """:raises OverQuota: more items than ``metadata_items``.

        :param limits: as :meth:`check`'s.
        """
        limit = (limits or self.limits(context, project_id))[
            "metadata_items"]
        if limit != UNLIMITED and len(metadata or {}) > limit:
            raise OverQuota(resources="metadata_items",
                            requested=len(metadata), used=0, allowed=limit)
