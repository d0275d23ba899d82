"""DescribeAddresses, AllocateAddress, ReleaseAddress, AssociateAddress,
DisassociateAddress: the network service's floating IPs (the same ones
``openstack floating ip list`` shows). Every address has an
``eipalloc-`` allocation id as well as its public IP, so both EC2-classic
(``PublicIp``) and VPC-style (``AllocationId``) callers find it; the
association id is ``eipassoc-`` with the allocation's number.
"""

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import common
from nimbus.core import exception

N = "network:%s"
FILTERS = ("public-ip", "allocation-id", "instance-id", "domain",
           "private-ip-address", "association-id")


def _network(call):
    return call.services.network


def _instance_ids(call, fips):
    ports = [f["port_id"] for f in fips if f["port_id"]]
    owner = {}
    for port_id in ports:
        for port in _network(call).list_ports(call.context,
                                              {"id": port_id}):
            owner[port_id] = port.get("device_id")
    ids = call.ec2_ids("i", [u for u in owner.values() if u])
    return {p: ids.get(u) for p, u in owner.items()}


def _item(call, fip, alloc_id, instance_id):
    return {"publicIp": fip["floating_ip_address"],
            "allocationId": alloc_id, "domain": "standard",
            "instanceId": instance_id or "",
            "associationId": alloc_id.replace("eipalloc-", "eipassoc-")
            if fip["port_id"] else None,
            "privateIpAddress": fip["fixed_ip_address"]}


def _all(call):
    fips = _network(call).list_floating_ips(call.context)
    ids = call.ec2_ids("eipalloc", [f["id"] for f in fips])
    instances = _instance_ids(call, fips)
    return [(f, _item(call, f, ids[f["id"]], instances.get(f["port_id"])))
            for f in fips]


def _find(call):
    """The address named by ``PublicIp``, ``AllocationId`` or
    ``AssociationId``."""
    public = call.params.get("PublicIp")
    alloc = call.params.get("AllocationId") or (
        call.params.get("AssociationId") or "").replace("eipassoc-",
                                                        "eipalloc-") or None
    if not public and not alloc:
        call.params.require("PublicIp")
    if alloc:
        call.uuid(alloc, ("eipalloc",))
    for fip, item in _all(call):
        if (public and item["publicIp"] == public) or \
                (alloc and item["allocationId"] == alloc):
            return fip, item
    if alloc:
        raise common.not_found("eipalloc", alloc)
    raise exception.Ec2Error("InvalidAddress.NotFound",
                             f"Address '{public}' not found.")


def describe_addresses(call):
    call.authorize(N % "get_floatingip")
    filters = ec2_params.filters(call.params, FILTERS)
    ips = call.params.strings("PublicIp")
    allocs = call.params.strings("AllocationId")
    for alloc in allocs:
        call.uuid(alloc, ("eipalloc",))
    items = [item for _fip, item in _all(call)
             if (not ips or item["publicIp"] in ips) and
             (not allocs or item["allocationId"] in allocs)]
    for ip in ips:
        if ip not in {i["publicIp"] for i in items}:
            raise exception.Ec2Error("InvalidAddress.NotFound",
                                     f"Address '{ip}' not found.")
    values = {"public-ip": "publicIp", "allocation-id": "allocationId",
              "instance-id": "instanceId", "domain": "domain",
              "private-ip-address": "privateIpAddress",
              "association-id": "associationId"}
    items = [i for i in items if all(
        ec2_params.matches(v, i.get(values[k])) for k, v in filters.items())]
    return {"addressesSet": items}


def allocate_address(call):
    call.authorize(N % "create_floatingip")
    pools = _network(call).list_floating_pools(call.context)
    if not pools:
        raise exception.Ec2Error("AddressLimitExceeded", "There is no pool "
                                 "of public addresses to allocate from.")
    pool = max(pools, key=lambda p: p["free"])
    try:
        fip = _network(call).create_floating_ip(call.context, pool["id"])
    except exception.OverQuota as err:
        raise exception.Ec2Error("AddressLimitExceeded", str(err))
    domain = call.params.get("Domain") or "standard"
    return {"publicIp": fip["floating_ip_address"], "domain": domain,
            "allocationId": call.ec2_id("eipalloc", fip["id"])}


def release_address(call):
    fip, _item_ = _find(call)
    call.authorize(N % "delete_floatingip",
                   {"project_id": fip["project_id"]})
    _network(call).delete_floating_ip(call.context, fip["id"])
    return {"return": True}


def associate_address(call):
    inst_id = call.params.require("InstanceId")
    fip, item = _find(call)
    uuid = call.instance(inst_id).uuid
    call.authorize(N % "update_floatingip",
                   {"project_id": fip["project_id"]})
    ports = _network(call).list_ports(call.context, {"device_id": uuid})
    if not ports:
        raise exception.Ec2Error("InvalidInstanceID", f"Instance {inst_id} "
                                 "has no network interface.")
    try:
        _network(call).update_floating_ip(
            call.context, fip["id"], port_id=ports[0]["id"],
            fixed_ip_address=call.params.get("PrivateIpAddress"))
    except exception.InvalidInput as err:
        raise ec2_params.bad(str(err))
    return {"return": True, "associationId": item["allocationId"].replace(
        "eipalloc-", "eipassoc-")}


def disassociate_address(call):
    fip, _item_ = _find(call)
    call.authorize(N % "update_floatingip",
                   {"project_id": fip["project_id"]})
    _network(call).update_floating_ip(call.context, fip["id"], port_id=None)
    return {"return": True}


ACTIONS = {
    "DescribeAddresses": describe_addresses,
    "AllocateAddress": allocate_address,
    "ReleaseAddress": release_address,
    "AssociateAddress": associate_address,
    "DisassociateAddress": disassociate_address,
}
