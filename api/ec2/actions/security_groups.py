"""DescribeSecurityGroups, CreateSecurityGroup, DeleteSecurityGroup,
Authorize/RevokeSecurityGroupIngress and Egress: the network service's
security groups (the same ones ``openstack security group`` shows)."""

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import common
from nimbus.core import exception

N = "network:%s"
FILTERS = ("group-name", "group-id", "description", "owner-id")


def _network(call):
    return call.services.network


def _groups(call):
    return _network(call).list_security_groups(call.context)


def _find(call, group_id=None, name=None):
    """The group named by ``GroupId``/``GroupName`` (or the arguments)."""
    group_id = group_id or call.params.get("GroupId")
    name = name or call.params.get("GroupName")
    if group_id:
        uuid = call.uuid(group_id, ("sg",))
        try:
            return _network(call).get_security_group(call.context, uuid)
        except exception.SecurityGroupNotFound:
            raise common.not_found("sg", group_id)
    if not name:
        call.params.require("GroupId")
    for group in _groups(call):
        if group["name"] == name and \
                group["project_id"] == call.context.project_id:
            return group
    raise exception.Ec2Error("InvalidGroup.NotFound", f"The security group "
                             f"'{name}' does not exist")


def _permissions(call, group, direction, ids):
    perms = []
    for rule in group["security_group_rules"]:
        if rule["direction"] != direction:
            continue
        proto = rule["protocol"] or "-1"
        perm = {"ipProtocol": proto, "groups": [], "ipRanges": []}
        if proto != "-1":
            low, high = rule["port_range_min"], rule["port_range_max"]
            perm["fromPort"] = -1 if low is None else low
            perm["toPort"] = -1 if high is None else high
        if rule["remote_group_id"]:
            perm["groups"].append({
                "groupId": ids.get(rule["remote_group_id"]),
                "userId": rule["project_id"]})
        elif rule["ethertype"] == "IPv4":
            perm["ipRanges"].append({"cidrIp": rule["remote_ip_prefix"] or
                                     "0.0.0.0/0"})
        else:
            perm["ipv6Ranges"] = [{"cidrIpv6": rule["remote_ip_prefix"] or
                                   "::/0"}]
        perms.append(perm)
    return perms


def describe_security_groups(call):
    call.authorize(N % "get_security_group")
    filters = ec2_params.filters(call.params, FILTERS)
    names = call.params.strings("GroupName")
    wanted = [call.uuid(g, ("sg",)) for g in call.params.strings("GroupId")]
    groups = _groups(call)
    ids = call.ec2_ids("sg", [g["id"] for g in groups])
    known = {g["id"] for g in groups}
    for ec2_id, uuid in zip(call.params.strings("GroupId"), wanted,
                            strict=True):
        if uuid not in known:
            raise common.not_found("sg", ec2_id)
    items = []
    for group in groups:
        if (names and group["name"] not in names) or \
                (wanted and group["id"] not in wanted):
            continue
        values = {"group-name": group["name"], "group-id": ids[group["id"]],
                  "description": group["description"],
                  "owner-id": group["project_id"]}
        if not all(ec2_params.matches(v, values[k])
                   for k, v in filters.items()):
            continue
        items.append({
            "ownerId": group["project_id"], "groupId": ids[group["id"]],
            "groupName": group["name"],
            "groupDescription": group["description"],
            "ipPermissions": _permissions(call, group, "ingress", ids),
            "ipPermissionsEgress": _permissions(call, group, "egress",
                                                ids)})
    for name in names:
        if name not in {i["groupName"] for i in items}:
            raise exception.Ec2Error("InvalidGroup.NotFound",
                                     f"The security group '{name}' does "
                                     "not exist")
    return {"securityGroupInfo": items}


def create_security_group(call):
    name = call.params.require("GroupName")
    description = call.params.require("GroupDescription")
    if len(name) > 255 or len(description) > 255:
        raise ec2_params.bad("GroupName and GroupDescription are at most "
                             "255 characters.")
    call.authorize(N % "create_security_group")
    if any(g["name"] == name and g["project_id"] == call.context.project_id
           for g in _groups(call)):
        raise exception.Ec2Error("InvalidGroup.Duplicate", f"The security "
                                 f"group '{name}' already exists")
    group = _network(call).create_security_group(call.context, name,
                                                  description)
    return {"return": True, "groupId": call.ec2_id("sg", group["id"])}


def delete_security_group(call):
    group = _find(call)
    call.authorize(N % "delete_security_group",
                   {"project_id": group["project_id"]})
    _network(call).delete_security_group(call.context, group["id"])
    return {"return": True}


def _port(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ec2_params.bad(f"Invalid value '{value}' for {name}.")


def _rules(call, group):
    """The rules of ``IpPermissions.N`` (or the old flat parameters) as
    network-service rule arguments."""
    perms = call.params.members("IpPermissions")
    if not perms and call.params.get("IpProtocol"):
        perms = [{"IpProtocol": call.params.get("IpProtocol"),
                  "FromPort": call.params.get("FromPort"),
                  "ToPort": call.params.get("ToPort"),
                  "IpRanges": {"1": {"CidrIp": call.params.get("CidrIp")}}
                  if call.params.get("CidrIp") else None,
                  "Groups": {"1": {"GroupName": call.params.get(
                      "SourceSecurityGroupName")}}
                  if call.params.get("SourceSecurityGroupName") else None}]
    if not perms:
        call.params.require("IpPermissions.1.IpProtocol")
    rules = []
    for perm in perms:
        if not isinstance(perm, dict) or not isinstance(
                perm.get("IpProtocol"), str):
            raise exception.Ec2Error("MissingParameter",
                                     "IpProtocol is required.")
        proto = perm["IpProtocol"].lower()
        proto = {"6": "tcp", "17": "udp", "1": "icmp"}.get(proto, proto)
        if proto not in ("tcp", "udp", "icmp", "-1", "all"):
            raise ec2_params.bad(f"Invalid IpProtocol '{proto}'.")
        base = {"protocol": None if proto in ("-1", "all") else proto}
        if base["protocol"]:
            low = _port(perm.get("FromPort", -1), "FromPort")
            high = _port(perm.get("ToPort", -1), "ToPort")
            if proto == "icmp":
                base["port_range_min"] = None if low == -1 else low
                base["port_range_max"] = None if high == -1 else high
            else:
                if low == -1 and high == -1:
                    low, high = 1, 65535
                base["port_range_min"], base["port_range_max"] = low, high
        sources = []
        for cidr in ec2_params.indexed(perm.get("IpRanges"), "IpRanges"):
            if not isinstance(cidr, dict) or not cidr.get("CidrIp"):
                raise exception.Ec2Error("MissingParameter",
                                         "CidrIp is required.")
            sources.append({"remote_ip_prefix": cidr["CidrIp"]})
        for ref in ec2_params.indexed(perm.get("Groups"), "Groups"):
            if not isinstance(ref, dict):
                raise ec2_params.bad("Invalid Groups.")
            other = _find(call, ref.get("GroupId"), ref.get("GroupName"))
            sources.append({"remote_group_id": other["id"]})
        for source in sources or [{"remote_ip_prefix": "0.0.0.0/0"}]:
            rules.append(dict(base, **source))
    return rules


def _authorize(call, direction):
    group = _find(call)
    call.authorize(N % "create_security_group_rule",
                   {"project_id": group["project_id"]})
    for rule in _rules(call, group):
        try:
            _network(call).create_security_group_rule(
                call.context, group["id"], direction=direction, **rule)
        except exception.InvalidSecurityGroupRule as err:
            raise ec2_params.bad(str(err))
    return {"return": True}


def _revoke(call, direction):
    group = _find(call)
    call.authorize(N % "delete_security_group_rule",
                   {"project_id": group["project_id"]})
    for wanted in _rules(call, group):
        wanted.setdefault("remote_ip_prefix", None)
        wanted.setdefault("remote_group_id", None)
        wanted.setdefault("port_range_min", None)
        wanted.setdefault("port_range_max", None)
        for rule in group["security_group_rules"]:
            if rule["direction"] == direction and all(
                    rule[k] == v for k, v in wanted.items()):
                _network(call).delete_security_group_rule(call.context,
                                                          rule["id"])
                break
        else:
            raise exception.Ec2Error("InvalidPermission.NotFound",
                                     "The specified rule does not exist "
                                     "in this security group.")
    return {"return": True}


ACTIONS = {
    "DescribeSecurityGroups": describe_security_groups,
    "CreateSecurityGroup": create_security_group,
    "DeleteSecurityGroup": delete_security_group,
    "AuthorizeSecurityGroupIngress": lambda call: _authorize(call,
                                                             "ingress"),
    "AuthorizeSecurityGroupEgress": lambda call: _authorize(call, "egress"),
    "RevokeSecurityGroupIngress": lambda call: _revoke(call, "ingress"),
    "RevokeSecurityGroupEgress": lambda call: _revoke(call, "egress"),
}
