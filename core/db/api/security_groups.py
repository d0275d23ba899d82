"""Security groups, their rules, and which servers use them.

Each project has one ``default`` group, made on first use with Neutron's
default rules (egress anywhere; ingress from members of the group);
``default_for`` is unique, so two first uses make one group. A group
bound to a port or a server cannot be deleted (foreign keys).
"""

from oslo_utils import uuidutils
from sqlalchemy import bindparam, delete, insert, select

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import (
    DUPLICATE,
    REFERENCE,
    to_dict,
    where_columns,
)

SG = models.SecurityGroup
R = models.SecurityGroupRule
ISG = models.InstanceSecurityGroup
PSG = models.PortSecurityGroup

SGT = SG.__table__
RT = R.__table__

# Prepared once (see ``networks._GET``): a boot reads the default group
# and the rules of its port's groups.
_DEFAULT = select(SGT).where(SGT.c.default_for == bindparam("project_id"))
_RULES_OF = (select(RT)
             .where(RT.c.security_group_id.in_(
                 bindparam("groups", expanding=True)))
             .order_by(RT.c.id))

DEFAULT_NAME = "default"
DEFAULT_DESCRIPTION = "Default security group"


def _default_rules(group_uuid, project_id):
    rules = []
    # IPv4 only: nimbus networks have no IPv6 and refuse IPv6 rules
    # (Neutron adds the same two rules for IPv6).
    rules.append({"direction": "egress", "ethertype": "IPv4"})
    rules.append({"direction": "ingress", "ethertype": "IPv4",
                  "remote_group_id": group_uuid})
    return [dict(rule, uuid=uuidutils.generate_uuid(),
                 security_group_id=group_uuid, project_id=project_id)
            for rule in rules]


def _row(session, uuid):
    row = session.scalars(select(SG).where(SG.uuid == uuid)).first()
    if row is None:
        raise exception.SecurityGroupNotFound(security_group_id=uuid)
    return row


def create(context, values, rules=None):
    """Create a group; with ``rules`` None it gets Neutron's default
    egress rule (IPv4 to anywhere; Neutron's IPv6 one is not made: IPv6
    rules are refused); returns it."""
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    if rules is None:
        rules = [{"direction": "egress", "ethertype": "IPv4"}]
    with engine.writer(context) as session:
        row = SG(**values)
        session.add(row)
        session.flush()
        if rules:
            session.execute(insert(R), [
                dict(rule, uuid=uuidutils.generate_uuid(),
                     security_group_id=row.uuid,
                     project_id=row.project_id) for rule in rules])
        return to_dict(row)


def get_default(context, project_id):
    """The project's ``default`` group, created (with its rules) if it
    does not exist yet."""
    found = find_default(context, project_id)
    if found is not None:
        return found
    uuid = uuidutils.generate_uuid()
    try:
        with engine.writer(context) as session:
            row = SG(uuid=uuid, project_id=project_id, name=DEFAULT_NAME,
                     description=DEFAULT_DESCRIPTION,
                     default_for=project_id)
            session.add(row)
            session.flush()
            session.execute(insert(R), _default_rules(uuid, project_id))
            return to_dict(row)
    except DUPLICATE:
        with engine.reader(context) as session:
            return to_dict(session.scalars(select(SG).where(
                SG.default_for == project_id)).one())


def find_default(context, project_id):
    """The project's ``default`` group, or None while it has none (see
    :func:`get_default`, which makes it)."""
    with engine.reader(context) as session:
        row = session.execute(_DEFAULT, {"project_id": project_id}).first()
    return dict(row._mapping) if row is not None else None


def get(context, uuid):
    """:raises SecurityGroupNotFound:"""
    with engine.reader(context) as session:
        return to_dict(_row(session, uuid))


def get_all(context, **filters):
    """Groups matching every ``column=value`` (a list/tuple/set matches
    any item), oldest first."""
    query = select(SG)
    query = where_columns(query, SG, filters)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query.order_by(SG.id))]


def update_group(context, uuid, values):
    with engine.writer(context) as session:
        row = _row(session, uuid)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def destroy(context, uuid):
    """Delete the group and its rules (and rules of other groups naming
    it as remote group).

    :raises SecurityGroupNotFound:
    :raises SecurityGroupInUse: a port or a server uses it.
    """
    try:
        with engine.writer(context) as session:
            row = _row(session, uuid)
            if session.scalars(select(PSG.id).where(
                    PSG.security_group_id == uuid).limit(1)).first() or \
                    session.scalars(select(ISG.id).where(
                        ISG.security_group_id == uuid).limit(1)).first():
                raise exception.SecurityGroupInUse(
                    security_group_id=uuid, reason="is in use")
            session.execute(delete(R).where(
                (R.security_group_id == uuid) | (R.remote_group_id == uuid)))
            session.delete(row)
    except REFERENCE:
        raise exception.SecurityGroupInUse(security_group_id=uuid,
                                           reason="is in use")


# -- rules ------------------------------------------------------------------

def create_rule(context, values):
    """:raises SecurityGroupNotFound: the group (or remote group) is
    gone."""
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    try:
        with engine.writer(context) as session:
            _row(session, values["security_group_id"])
            row = R(**values)
            session.add(row)
            session.flush()
            return to_dict(row)
    except REFERENCE:
        raise exception.SecurityGroupNotFound(
            security_group_id=values.get("remote_group_id"))


def get_rule(context, uuid):
    """:raises SecurityGroupRuleNotFound:"""
    with engine.reader(context) as session:
        row = session.scalars(select(R).where(R.uuid == uuid)).first()
        if row is None:
            raise exception.SecurityGroupRuleNotFound(rule_id=uuid)
        return to_dict(row)


def get_rules(context, **filters):
    """Rules matching every ``column=value`` (a list/tuple/set matches
    any item), oldest first."""
    query = select(R)
    query = where_columns(query, R, filters)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query.order_by(R.id))]


def rules_of(context, group_uuids):
    """The rules of the groups, oldest first: ``get_rules(
    security_group_id=group_uuids)`` in one prepared query."""
    if not group_uuids:
        return []
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(
            _RULES_OF, {"groups": list(group_uuids)})]


def destroy_rule(context, uuid):
    """Delete a rule; returns it. :raises SecurityGroupRuleNotFound:"""
    with engine.writer(context) as session:
        row = session.scalars(select(R).where(R.uuid == uuid)).first()
        if row is None:
            raise exception.SecurityGroupRuleNotFound(rule_id=uuid)
        values = to_dict(row)
        session.delete(row)
        return values


# -- servers ----------------------------------------------------------------

def add_to_instance(context, instance_uuid, group_uuid):
    """Record that the server uses the group; False if it already did.

    Inside the caller's write transaction a failed insert may end the
    whole of it (PostgreSQL): the binding is looked for first, and one
    made meanwhile is :class:`~nimbus.core.exception.TransactionLost`.
    """
    joined = engine.in_writer()
    try:
        with engine.writer(context) as session:
            if joined and session.scalars(select(ISG.id).where(
                    ISG.instance_uuid == instance_uuid,
                    ISG.security_group_id == group_uuid)).first():
                return False
            session.add(ISG(instance_uuid=instance_uuid,
                            security_group_id=group_uuid))
            session.flush()
        return True
    except DUPLICATE as exc:
        if joined:
            raise exception.TransactionLost(
                reason=f"server {instance_uuid} joined group "
                       f"{group_uuid} meanwhile") from exc
        return False
    except REFERENCE:
        raise exception.SecurityGroupNotFound(security_group_id=group_uuid)


def remove_from_instance(context, instance_uuid, group_uuid=None):
    """Forget the server's use of the group (of all its groups with
    ``group_uuid`` None); returns how many were removed."""
    query = delete(ISG).where(ISG.instance_uuid == instance_uuid)
    if group_uuid is not None:
        query = query.where(ISG.security_group_id == group_uuid)
    with engine.writer(context) as session:
        return session.execute(query).rowcount


def groups_of_instances(context, instance_uuids):
    """``{instance uuid: [group uuid, ...]}``."""
    result = {i: [] for i in instance_uuids}
    if not instance_uuids:
        return result
    with engine.reader(context) as session:
        for instance_uuid, group_id in session.execute(
                select(ISG.instance_uuid, ISG.security_group_id).where(
                    ISG.instance_uuid.in_(list(instance_uuids)))
                .order_by(ISG.id)):
            result[instance_uuid].append(group_id)
    return result
