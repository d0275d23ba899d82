"""Security groups and their rules, for :class:`~nimbus.core.network.api.
NetworkAPI` (a mixin: it uses the class's database handle, quotas and
refresh helpers). Every change recomputes the filters of the ports it
affects and casts them to the computes hosting them."""

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import fields, membership, records


class SecurityGroupsMixin:
    """The security-group half of the network service API."""

    def _group_row(self, context, group_id):
        if not uuidutils.is_uuid_like(group_id):
            raise exception.SecurityGroupNotFound(security_group_id=group_id)
        try:
            row = self.db.security_groups.get(context, group_id)
        except exception.SecurityGroupNotFound:
            raise
        if not context.is_admin and row["project_id"] != context.project_id:
            raise exception.SecurityGroupNotFound(security_group_id=group_id)
        return row

    def _ensure_default(self, context, project_id=None):
        project_id = project_id or context.project_id
        if project_id:
            self.db.security_groups.get_default(context, project_id)

    def list_security_groups(self, context, filters=None):
        """Visible groups (the caller's ``default`` is made on first
        use); ``filters``: id, name, project_id."""
        self._ensure_default(context)
        columns = {"id": "uuid"}
        where = {columns.get(k, k): v for k, v in (filters or {}).items()
                 if v is not None}
        unknown = set(where) - {"uuid", "name", "project_id",
                                "description"}
        if unknown:
            raise exception.InvalidInput(
                reason=f"unknown security group filter(s): "
                       f"{', '.join(sorted(unknown))}")
        if not context.is_admin:
            where["project_id"] = context.project_id
        rows = self.db.security_groups.get_all(context, **where)
        return records.group_views(context, self.db, rows)

    def get_security_group(self, context, group_id):
        """:raises SecurityGroupNotFound:"""
        return records.group_views(context, self.db,
                                   [self._group_row(context, group_id)])[0]

    def create_security_group(self, context, name, description="",
                              project_id=None):
        """A new group with Neutron's default egress rules.

        :raises SecurityGroupExists: the name is ``default``.
        :raises OverQuota: the project's ``security_group`` quota.
        """
        project_id = project_id if context.is_admin and project_id \
            else context.project_id
        name = fields.name(name, "name", required=True)
        self._ensure_default(context, project_id)
        if name == "default":
            raise exception.SecurityGroupExists(name=name)
        self._check_quota(context, project_id, "security_group", 1)
        row = self.db.security_groups.create(context, {
            "name": name, "description": fields.text(description, "description"),
            "project_id": project_id})
        self._recheck_quota(context, project_id, "security_group",
                            lambda: self.db.security_groups.destroy(
                                context, row["uuid"]))
        return self.get_security_group(context, row["uuid"])

    def update_security_group(self, context, group_id, name=None,
                              description=None):
        """:raises SecurityGroupNotFound:
        :raises Conflict: renaming the ``default`` group.
        """
        row = self._group_row(context, group_id)
        values = {}
        if name is not None and name != row["name"]:
            if row["default_for"]:
                raise exception.Conflict(
                    reason="the default security group cannot be renamed")
            name = fields.name(name, "name", required=True)
            if name == "default":
                raise exception.SecurityGroupExists(name=name)
            values["name"] = name
        if description is not None:
            values["description"] = fields.text(description, "description")
        if values:
            self.db.security_groups.update_group(context, row["uuid"],
                                                 values)
        return self.get_security_group(context, row["uuid"])

    def delete_security_group(self, context, group_id):
        """:raises SecurityGroupNotFound:
        :raises SecurityGroupInUse: in use by a port or a server, or the
            project's ``default`` group (while the project uses it).
        """
        row = self._group_row(context, group_id)
        if row["default_for"] and not context.is_admin:
            raise exception.SecurityGroupInUse(
                security_group_id=row["uuid"],
                reason="is the project's default group")
        referencing = self._groups_referencing(context, [row["uuid"]])
        affected = self.db.ports.ports_in_groups(context, referencing)
        self.db.security_groups.destroy(context, row["uuid"])
        self._refresh_ports(context, affected)

    def list_security_group_rules(self, context, filters=None):
        """Visible rules; ``filters``: id, security_group_id, direction,
        ethertype, protocol, remote_group_id, project_id."""
        columns = {"id": "uuid"}
        where = {columns.get(k, k): v for k, v in (filters or {}).items()
                 if v is not None}
        unknown = set(where) - {"uuid", "security_group_id", "direction",
                                "ethertype", "protocol", "remote_group_id",
                                "remote_ip_prefix", "port_range_min",
                                "port_range_max", "project_id"}
        if unknown:
            raise exception.InvalidInput(
                reason=f"unknown security group rule filter(s): "
                       f"{', '.join(sorted(unknown))}")
        self._ensure_default(context)
        if not context.is_admin:
            where["project_id"] = context.project_id
        return [records.rule_view(r)
                for r in self.db.security_groups.get_rules(context, **where)]

    def get_security_group_rule(self, context, rule_id):
        """:raises SecurityGroupRuleNotFound:"""
        return records.rule_view(self._rule_row(context, rule_id))

    def _rule_row(self, context, rule_id):
        if not uuidutils.is_uuid_like(rule_id):
            raise exception.SecurityGroupRuleNotFound(rule_id=rule_id)
        row = self.db.security_groups.get_rule(context, rule_id)
        if not context.is_admin and row["project_id"] != context.project_id:
            raise exception.SecurityGroupRuleNotFound(rule_id=rule_id)
        return row

    def create_security_group_rule(self, context, security_group_id,
                                   direction="ingress", ethertype="IPv4",
                                   protocol=None, port_range_min=None,
                                   port_range_max=None,
                                   remote_ip_prefix=None,
                                   remote_group_id=None, description=None):
        """Add a rule; the ports in the group get their new filters.

        :raises SecurityGroupNotFound: the group or remote group.
        :raises InvalidSecurityGroupRule: a bad direction, ethertype,
            protocol, port range or prefix, or both remotes.
        :raises SecurityGroupRuleExists: the same rule exists.
        :raises OverQuota: the ``security_group_rule`` quota.
        """
        group = self._group_row(context, security_group_id)
        values = fields.rule_values(direction, ethertype, protocol,
                              port_range_min, port_range_max,
                              remote_ip_prefix, remote_group_id)
        if values["remote_group_id"]:
            values["remote_group_id"] = self._group_row(
                context, values["remote_group_id"])["uuid"]
        for rule in self.db.security_groups.get_rules(
                context, security_group_id=group["uuid"]):
            if all(rule[k] == v for k, v in values.items()):
                raise exception.SecurityGroupRuleExists(rule_id=rule["uuid"])
        project_id = group["project_id"]
        self._check_quota(context, project_id, "security_group_rule", 1)
        row = self.db.security_groups.create_rule(context, dict(
            values, security_group_id=group["uuid"], project_id=project_id,
            description=fields.text(description, "description")))
        self._recheck_quota(context, project_id, "security_group_rule",
                            lambda: self.db.security_groups.destroy_rule(
                                context, row["uuid"]))
        self._refresh_ports(context, self.db.ports.ports_in_groups(
            context, [group["uuid"]]))
        return records.rule_view(row)

    def delete_security_group_rule(self, context, rule_id):
        """:raises SecurityGroupRuleNotFound:"""
        row = self._rule_row(context, rule_id)
        self.db.security_groups.destroy_rule(context, row["uuid"])
        self._refresh_ports(context, self.db.ports.ports_in_groups(
            context, [row["security_group_id"]]))

    def add_security_group_to_instance(self, context, instance_uuid,
                                       group_name_or_id):
        """The server (all its ports, present and future) uses the group.

        :raises SecurityGroupNotFound:
        :raises Conflict: several groups have that name.
        """
        group = self.allocator.find_group(context, context.project_id,
                                          group_name_or_id)
        if not context.is_admin and group["project_id"] != \
                context.project_id:
            raise exception.SecurityGroupNotFound(
                security_group_id=group_name_or_id)
        self.db.security_groups.add_to_instance(context, instance_uuid,
                                                group["uuid"])
        ports = [p["uuid"] for p in self.db.ports.get_all(
            context, instance_uuid=instance_uuid)]
        if ports:
            self.db.ports.add_security_group(context, ports, group["uuid"])
            self._refresh_ports(context, ports)
            self._refresh_groups_members(context, [group["uuid"]])
        return records.group_views(context, self.db, [group])[0]

    def remove_security_group_from_instance(self, context, instance_uuid,
                                            group_name_or_id):
        """:raises SecurityGroupNotFound:
        :raises InvalidInput: the server does not use the group.
        """
        group = self.allocator.find_group(context, context.project_id,
                                          group_name_or_id)
        removed = self.db.security_groups.remove_from_instance(
            context, instance_uuid, group["uuid"])
        ports = [p["uuid"] for p in self.db.ports.get_all(
            context, instance_uuid=instance_uuid)]
        bound = ports and group["uuid"] in {
            g for gs in self.db.ports.security_groups_of(
                context, ports).values() for g in gs}
        if not removed and not bound:
            raise exception.InvalidInput(
                reason=f"Security group {group_name_or_id} not associated "
                       f"with the instance {instance_uuid}")
        if ports:
            self.db.ports.remove_security_group(context, ports,
                                                group["uuid"])
            self._refresh_ports(context, ports)
            self._refresh_groups_members(context, [group["uuid"]])

    def list_instance_security_groups(self, context, instance_uuid):
        """Group dicts the server uses (its own and its ports')."""
        uuids = list(self.db.security_groups.groups_of_instances(
            context, [instance_uuid])[instance_uuid])
        ports = [p["uuid"] for p in self.db.ports.get_all(
            context, instance_uuid=instance_uuid)]
        for groups in self.db.ports.security_groups_of(context,
                                                       ports).values():
            uuids.extend(g for g in groups if g not in uuids)
        rows = self.db.security_groups.get_all(context, uuid=uuids) \
            if uuids else []
        order = {u: i for i, u in enumerate(uuids)}
        rows.sort(key=lambda r: order[r["uuid"]])
        return records.group_views(context, self.db, rows)

    def get_security_group_names_bulk(self, context, instance_uuids):
        """``{uuid: [group name, ...]}`` of servers (their own groups,
        then their ports'), for server views: four queries whatever the
        number of servers."""
        uuids = list(instance_uuids)
        if not uuids:
            return {}
        with self.db.reading(context):  # one session for the four
            own = self.db.security_groups.groups_of_instances(context,
                                                              uuids)
            ports = self.db.ports.get_all(context, instance_uuid=uuids)
            of_ports = self.db.ports.security_groups_of(
                context, [p["uuid"] for p in ports])
            groups = {u: list(own.get(u, ())) for u in uuids}
            for port in ports:
                mine = groups[port["instance_uuid"]]
                mine.extend(g for g in of_ports.get(port["uuid"], ())
                            if g not in mine)
            wanted = sorted({g for gs in groups.values() for g in gs})
            names = {r["uuid"]: r["name"] for r in
                     self.db.security_groups.get_all(context, uuid=wanted)} \
                if wanted else {}
        return {u: [names[g] for g in gs if g in names]
                for u, gs in groups.items()}

    def _groups_referencing(self, context, group_uuids):
        """Groups with a rule naming any of ``group_uuids`` as remote."""
        if not group_uuids:
            return []
        return list({r["security_group_id"] for r in
                     self.db.security_groups.get_rules(
                         context, remote_group_id=list(group_uuids))})

    def _refresh_groups_members(self, context, group_uuids):
        """Membership of ``group_uuids`` changed: bring the computes whose
        ports' rules name one of them up to date."""
        membership.push_members(context, self.db, self.conf,
                                self.compute_rpc, group_uuids)

    def _refresh_ports(self, context, port_uuids):
        """Send the current filters of the bound ports among
        ``port_uuids`` to the computes hosting them."""
        if not port_uuids:
            return
        rows = [r for r in self.db.ports.get_all(context,
                                                 uuid=list(port_uuids))
                if r["host"] and r["instance_uuid"]]
        membership.send_filters(context, self.db, self.conf,
                                self.compute_rpc, rows)
