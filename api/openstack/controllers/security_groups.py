"""Nova's security group proxy APIs over the network service:
``/os-security-groups`` and ``/os-security-group-rules`` (removed at
2.36, as in Nova) and ``/servers/{id}/os-security-groups`` (at every
version, as in Nova).

Groups and rules are the network service's (Neutron-shaped dicts); these
controllers only translate to and from Nova's nova-network shapes: only
ingress rules are shown, ``from_port``/``to_port`` stand for the port
range (ICMP type/code, ``-1`` for any), ``cidr`` or ``group_id`` for the
remote end.
"""

import ipaddress

import pecan
from oslo_utils import uuidutils

from nimbus.api.openstack import common, schemas_network
from nimbus.core import exception

SG = "os_compute_api:os-security-groups:%s"
_TRUE = ("1", "true", "True", "yes")
_PROTOCOLS = ("tcp", "udp", "icmp")


def proxy_api_available():
    """The nova-network proxy APIs are gone from 2.36 (404, as Nova)."""
    if common.at_least(36):
        raise exception.NotFound()


def _own_project():
    ctx = common.context()
    return {"project_id": ctx.project_id}


# -- views ---------------------------------------------------------------

def rule_view(rule, groups_by_id=None):
    protocol = rule.get("protocol")
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol and low is None and high is None:
        low, high = (1, 65535) if protocol in ("tcp", "udp") else (-1, -1)
    body = {"id": rule["id"], "parent_group_id": rule["security_group_id"],
            "ip_protocol": protocol, "from_port": low, "to_port": high,
            "group": {}, "ip_range": {}}
    remote = rule.get("remote_group_id")
    if remote:
        group = (groups_by_id or {}).get(remote)
        body["group"] = {"name": group["name"] if group else None,
                         "tenant_id": group["project_id"] if group
                         else rule.get("project_id")}
    else:
        body["ip_range"] = {"cidr": rule.get("remote_ip_prefix")
                            or "0.0.0.0/0"}
    return body


def group_view(group, groups_by_id=None):
    by_id = dict(groups_by_id or {})
    by_id.setdefault(group["id"], group)
    return {"id": group["id"], "name": group["name"],
            "description": group.get("description") or "",
            "tenant_id": group["project_id"],
            "rules": [rule_view(r, by_id)
                      for r in group.get("security_group_rules") or ()
                      if r.get("direction", "ingress") == "ingress"]}


def _views(groups):
    by_id = {g["id"]: g for g in groups}
    return [group_view(g, by_id) for g in groups]


# -- rule requests -----------------------------------------------------------

def _port(value, name):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exception.Invalid(message=f"{name} must be an integer.")


def rule_from_request(data):
    """Nova's rule request as the network service's keyword arguments.

    :raises Invalid: Nova's 400s (unknown protocol, bad range, both or
        neither of a CIDR and a group with nothing else).
    """
    protocol = data.get("ip_protocol")
    protocol = protocol.lower() if protocol else None
    low = _port(data.get("from_port"), "from_port")
    high = _port(data.get("to_port"), "to_port")
    cidr, group_id = data.get("cidr"), data.get("group_id")
    if cidr and group_id:
        raise exception.Invalid(
            message="Invalid rule: give either a cidr or a group_id, "
                    "not both.")
    if protocol is None and low is None and high is None and not group_id:
        raise exception.Invalid(
            message="Not enough parameters to build a valid rule.")
    if protocol is not None and protocol not in _PROTOCOLS:
        raise exception.Invalid(
            message=f"Invalid IP protocol {data.get('ip_protocol')}.")
    if protocol is None and (low is not None or high is not None):
        raise exception.Invalid(
            message="Invalid rule: ports need an ip_protocol.")
    if protocol in ("tcp", "udp"):
        if low is None or high is None or not 1 <= low <= high <= 65535:
            raise exception.Invalid(
                message=f"Invalid port range {low}:{high}. Valid TCP ports "
                        "should be between 1-65535")
    elif protocol == "icmp":
        for value, what in ((low, "type"), (high, "code")):
            if value is not None and not -1 <= value <= 255:
                raise exception.Invalid(
                    message=f"Invalid ICMP {what} {value}: it must be "
                            "between -1 and 255")
        low = None if low in (None, -1) else low
        high = None if high in (None, -1) else high
    if cidr:
        try:
            cidr = str(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            raise exception.Invalid(message=f"Invalid cidr {cidr}.")
        if ":" in cidr:
            raise exception.Invalid(
                message="Only IPv4 rules are supported.")
    elif not group_id:
        cidr = "0.0.0.0/0"
    return {"direction": "ingress", "ethertype": "IPv4",
            "protocol": protocol, "port_range_min": low,
            "port_range_max": high, "remote_ip_prefix": cidr,
            "remote_group_id": group_id or None}


def _group_id(value):
    """A group named in a URL: a malformed id is a 404 (Nova's proxy
    answers 400 for non-UUIDs with Neutron; 404 keeps name lookups of
    stock clients working: they fall back to listing)."""
    if not uuidutils.is_uuid_like(value):
        raise exception.NotFound(
            message=f"Security group {value} not found.")
    return value


# -- controllers --------------------------------------------------------------

class SecurityGroupController:
    """/os-security-groups/{id}."""

    def __init__(self, group_id):
        self.group_id = group_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        proxy_api_available()
        common.authorize(SG % "show", _own_project())
        network = common.services().network
        group = network.get_security_group(common.context(),
                                           _group_id(self.group_id))
        return common.reply({"security_group": group_view(group)})

    @index.when(method="PUT", template="json")
    def put(self):
        proxy_api_available()
        data = common.body(schemas_network.SECURITY_GROUP)["security_group"]
        common.authorize(SG % "update", _own_project())
        group = common.services().network.update_security_group(
            common.context(), _group_id(self.group_id),
            name=data["name"].strip(), description=data["description"])
        return common.reply({"security_group": group_view(group)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        proxy_api_available()
        common.authorize(SG % "delete", _own_project())
        common.services().network.delete_security_group(
            common.context(), _group_id(self.group_id))
        return common.reply(None, 202)


class SecurityGroupsController:
    """/os-security-groups."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        proxy_api_available()
        common.authorize(SG % "get", _own_project())
        ctx = common.context()
        filters = {}
        all_tenants = pecan.request.GET.get("all_tenants") in _TRUE
        if not (ctx.is_admin and all_tenants):
            filters["project_id"] = ctx.project_id
        groups = common.services().network.list_security_groups(
            ctx, filters=filters)
        return common.reply({"security_groups": _views(groups)})

    @index.when(method="POST", template="json")
    def create(self):
        proxy_api_available()
        data = common.body(schemas_network.SECURITY_GROUP)["security_group"]
        common.authorize(SG % "create", _own_project())
        ctx = common.context()
        group = common.services().network.create_security_group(
            ctx, data["name"].strip(), description=data["description"],
            project_id=ctx.project_id)
        return common.reply({"security_group": group_view(group)})

    @pecan.expose("json")
    def _lookup(self, group_id, *remainder):
        if remainder:
            pecan.abort(404)
        return SecurityGroupController(group_id), remainder


class SecurityGroupRuleController:
    """/os-security-group-rules/{id}."""

    def __init__(self, rule_id):
        self.rule_id = rule_id

    @pecan.expose("json", generic=True)
    def index(self):
        pecan.abort(405, headers={"Allow": "DELETE"})

    @index.when(method="DELETE", template="json")
    def delete(self):
        proxy_api_available()
        common.authorize(SG % "rule:delete", _own_project())
        if not uuidutils.is_uuid_like(self.rule_id):
            raise exception.NotFound(
                message=f"Rule ({self.rule_id}) not found")
        common.services().network.delete_security_group_rule(
            common.context(), self.rule_id)
        return common.reply(None, 202)


class SecurityGroupRulesController:
    """/os-security-group-rules."""

    @pecan.expose("json", generic=True)
    def index(self):
        pecan.abort(405, headers={"Allow": "POST"})

    @index.when(method="POST", template="json")
    def create(self):
        proxy_api_available()
        data = common.body(schemas_network.SECURITY_GROUP_RULE)[
            "security_group_rule"]
        common.authorize(SG % "rule:create", _own_project())
        ctx = common.context()
        network = common.services().network
        parent = network.get_security_group(
            ctx, _group_id(data["parent_group_id"]))
        args = rule_from_request(data)
        by_id = {parent["id"]: parent}
        remote = args["remote_group_id"]
        if remote:
            by_id[remote] = network.get_security_group(ctx,
                                                       _group_id(remote))
        try:
            rule = network.create_security_group_rule(ctx, parent["id"],
                                                      **args)
        except exception.SecurityGroupRuleExists as err:
            # Nova's proxy answers a duplicate with a 400.
            raise exception.Invalid(message=str(err))
        return common.reply({"security_group_rule": rule_view(rule, by_id)})

    @pecan.expose("json")
    def _lookup(self, rule_id, *remainder):
        if remainder:
            pecan.abort(404)
        return SecurityGroupRuleController(rule_id), remainder


class ServerSecurityGroupsController:
    """/servers/{id}/os-security-groups: the groups of one server."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        from nimbus.api.openstack.controllers import servers
        instance = servers.get_authorized(self.server_id, SG % "list")
        groups = common.services().network.list_instance_security_groups(
            common.context(), instance.uuid)
        return common.reply({"security_groups": _views(groups)})


def _server_group(ctx, instance, name):
    """The id of the group ``name`` (a name or an id) names for this
    server: a name is looked up in the server's project (an admin acting
    on another project's server means that project's group).

    :raises SecurityGroupNotFound: no such group there.
    :raises Conflict: several groups of the project have that name.
    """
    if uuidutils.is_uuid_like(name):
        return name
    network = common.services().network
    found = network.list_security_groups(
        ctx, filters={"project_id": instance.project_id, "name": name})
    if not found:
        raise exception.SecurityGroupNotFound(security_group_id=name)
    if len(found) > 1:
        raise exception.Conflict(
            reason=f"Multiple security groups named {name}; use its id")
    return found[0]["id"]


def add_to_server(ctx, instance, args):
    """``addSecurityGroup``: by name (or id), as Nova; a group the
    server already has is a 400, as in Nova."""
    name = args["name"].strip()
    group_id = _server_group(ctx, instance, name)
    network = common.services().network
    if any(g["id"] == group_id for g in
           network.list_instance_security_groups(ctx, instance.uuid)):
        raise exception.Invalid(
            message=f"Security group {name} is already associated with "
                    f"the instance {instance.uuid}")
    network.add_security_group_to_instance(ctx, instance.uuid, group_id)


def remove_from_server(ctx, instance, args):
    """``removeSecurityGroup``: by name (or id)."""
    name = args["name"].strip()
    common.services().network.remove_security_group_from_instance(
        ctx, instance.uuid, _server_group(ctx, instance, name))
