"""RunInstances, DescribeInstances, Terminate/Stop/Start/Reboot
Instances, GetConsoleOutput: the compute service API in EC2's terms."""

import base64
import binascii
import datetime

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import block_devices, common, instance_view, paging
from nimbus.core import exception

P = "os_compute_api:servers:%s"
FILTERS = ("instance-id", "instance-state-name", "instance-state-code",
           "instance-type", "image-id", "key-name", "availability-zone",
           "reservation-id", "private-ip-address", "ip-address",
           "launch-index", "owner-id", "group-name", "client-token", "tag:")


def _target(instance):
    return {"project_id": instance.project_id, "user_id": instance.user_id}


def _flavor_id(call, name):
    for flavor in call.services.admin.list_flavors(call.context):
        if flavor.name == name:
            return flavor.flavorid
    raise ec2_params.bad(f"Invalid value '{name}' for InstanceType.")


def _user_data(call):
    data = call.params.get("UserData")
    if data is None or data == "":
        return None
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ec2_params.bad("Invalid BASE64 encoding of user data.")
    return data


def _tag_specs(call):
    """``[(key, value)]`` of the ``instance`` TagSpecifications."""
    tags = []
    for spec in call.params.members("TagSpecification"):
        if not isinstance(spec, dict):
            raise ec2_params.bad("Invalid TagSpecification.")
        if spec.get("ResourceType") != "instance":
            raise ec2_params.bad(
                f"'{spec.get('ResourceType')}' is not a valid taggable "
                "resource type for this operation.")
        for tag in ec2_params.indexed(spec.get("Tag"), "Tag"):
            tags.append(_tag_pair(tag))
    return tags


def _tag_pair(tag):
    if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str) \
            or not tag["Key"] or not isinstance(tag.get("Value", ""), str):
        raise ec2_params.bad("A tag must have a Key (and a Value).")
    if len(tag["Key"]) > 127 or len(tag.get("Value", "")) > 255 or \
            tag["Key"].startswith("aws:"):
        raise ec2_params.bad(f"Invalid tag key '{tag['Key']}'.")
    return tag["Key"], tag.get("Value", "")


def _groups(call):
    groups = call.params.strings("SecurityGroup")
    for sg_id in call.params.strings("SecurityGroupId"):
        groups.append(call.uuid(sg_id, ("sg",)))
    return groups or None


def _block_devices(call, image_uuid, count):
    """The request's BlockDeviceMapping as the compute API takes it,
    checked by the compute API first so that what it refuses is an
    ``InvalidBlockDeviceMapping`` (nothing is recorded by the check)."""
    bdms, volume_backed = block_devices.mappings(call, image_uuid)
    if bdms:
        try:
            call.services.compute.block_devices_for_boot(
                call.context, bdms, None if volume_backed else image_uuid,
                count)
        except exception.Ec2Error:
            raise
        except exception.Invalid as err:
            raise block_devices.invalid(str(err))
    return bdms, volume_backed


def _by_client_token(call, token):
    ids = [t["resource_id"] for t in call.services.ec2_ids.tags(call.context)
           if t["key"] == instance_view.CLIENT_TOKEN and t["value"] == token]
    known = call.services.ec2_ids.uuids(
        call.context, [i for i in ids if common.parse_prefix(i, ("i",))],
        ("i",))
    if not known:
        return []
    instances = call.services.compute.get_all(
        call.context, {"uuids": sorted(known.values())})
    return sorted(instances, key=lambda i: i.launch_index or 0)


def _reservation(call, instances):
    views = instance_view.Views(call, instances)
    first = instances[0]
    return {"reservationId": first.reservation_id,
            "ownerId": first.project_id,
            "groupSet": [{"groupName": g} for g in
                         views.groups.get(first.uuid, [])],
            "instancesSet": [views.instance(i) for i in instances]}


def run_instances(call):
    params = call.params
    image_id = params.require("ImageId")
    min_count = params.integer("MinCount", minimum=1)
    max_count = params.integer("MaxCount", minimum=1)
    if min_count is None:
        params.require("MinCount")
    if max_count is None:
        params.require("MaxCount")
    if min_count > max_count:
        raise ec2_params.bad("MinCount must be less than or equal to "
                             "MaxCount.")
    call.authorize(P % "create")
    token = params.get("ClientToken")
    if token:
        done = _by_client_token(call, token)
        if done:
            return _reservation(call, done)
    image_uuid = call.uuid(image_id, common.IMAGE_PREFIXES)
    flavor = _flavor_id(call, params.get("InstanceType") or "m1.small")
    key_name = params.get("KeyName")
    if key_name:
        try:
            call.services.keypairs.get(call.context, call.context.user_id,
                                       key_name)
        except exception.NotFound:
            raise exception.Ec2Error("InvalidKeyPair.NotFound",
                                     f"The key pair '{key_name}' does not "
                                     "exist")
    tags = _tag_specs(call)
    placement = params.tree.get("Placement")
    zone = placement.get("AvailabilityZone") if isinstance(
        placement, dict) else None
    name = dict(tags).get("Name") or "ec2-instance"
    bdms, volume_backed = _block_devices(call, image_uuid, max_count)
    try:
        instances = call.services.compute.create(
            call.context, name, flavor,
            None if volume_backed else image_uuid, min_count=min_count,
            max_count=max_count, key_name=key_name,
            user_data=_user_data(call), availability_zone=zone,
            security_groups=_groups(call), block_devices=bdms)
    except exception.OverQuota as err:
        raise exception.Ec2Error("InstanceLimitExceeded", str(err))
    except exception.ImageNotFound:
        raise common.not_found("ami", image_id)
    ids = call.ec2_ids("i", [i.uuid for i in instances])
    extra = [(instance_view.CLIENT_TOKEN, token)] if token else []
    if tags or extra:
        call.services.ec2_ids.set_tags(call.context, list(ids.values()),
                                       tags + extra)
    return _reservation(call, instances)


def _listing(call, uuids=None):
    """The compute list query of what EC2 shows: live instances of the
    caller's project and those terminated less than
    ``[ec2] terminated_visible_seconds`` ago, newest first."""
    cutoff = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - \
        datetime.timedelta(seconds=call.conf.ec2.terminated_visible_seconds)
    query = {"terminated_since": cutoff}
    if uuids is not None:
        query["uuids"] = uuids
    return query


def _visible(call, uuids=None):
    return call.services.compute.get_all(call.context,
                                         _listing(call, uuids))


def _pushed_uuids(call, asked_uuids, filters):
    """The uuids the list query may be limited to: the InstanceIds, else
    the exact (wildcard-free) values of an ``instance-id`` filter."""
    wanted = filters.get("instance-id")
    if asked_uuids is not None or not wanted or \
            any(c in v for v in wanted for c in "*?"):
        return asked_uuids
    return _known_uuids(call, wanted, ("i",))


def _known_uuids(call, ec2_ids, prefixes):
    """The uuids of the well-formed, known ``ec2_ids`` (filter values:
    any other matches nothing)."""
    wellformed = [i for i in ec2_ids if common.parse_prefix(i, prefixes)]
    return sorted(set(call.services.ec2_ids.uuids(
        call.context, wellformed, prefixes).values()))


def _pushed_images(call, filters):
    """The image uuids of exact ``image-id`` filter values (None: no
    such filter, or one with wildcards)."""
    wanted = filters.get("image-id")
    if not wanted or any(c in v for v in wanted for c in "*?"):
        return None
    return _known_uuids(call, wanted, common.IMAGE_PREFIXES)


def _page(call, filters, uuids):
    """``(views, instances, next token)``: one page, the list query
    limited by MaxResults and NextToken's marker (and by ``instance-id``
    and ``image-id``); the other filters applied here per batch."""
    size, marker = paging.request(call.params)
    query = _listing(call, _pushed_uuids(call, uuids, filters))
    images = _pushed_images(call, filters)
    if images is not None:
        query["image_ref"] = images
    views = instance_view.Views(call)

    def fetch(limit, after):
        if query.get("uuids") == [] or query.get("image_ref") == []:
            return []
        try:
            return call.services.compute.get_all(
                call.context, query, limit=limit, marker=after)
        except exception.Invalid:  # the marker's instance is gone
            raise paging.bad_token(call.params.get("NextToken"))

    def keep(batch):
        views.add(batch)
        return [i for i in batch if views.matches(i, filters)]
    instances, last = paging.walk(fetch, keep, size, marker)
    return views, instances, last and paging.encode_token(last)


def describe_instances(call):
    call.authorize(P % "detail")
    filters = ec2_params.filters(call.params, FILTERS)
    asked = call.params.strings("InstanceId")
    if asked and call.params.get("MaxResults"):
        raise ec2_params.bad("MaxResults cannot be used with InstanceId.")
    uuids = call.uuids(asked, ("i",)) or None
    views, instances, next_token = _page(call, filters, uuids)
    if asked:
        for ec2_id, uuid in zip(asked, uuids, strict=True):
            if uuid not in views.ids:
                raise common.not_found("i", ec2_id)
    reservations, order = {}, []
    for instance in instances:
        key = instance.reservation_id
        if key not in reservations:
            order.append(key)
            reservations[key] = {
                "reservationId": key, "ownerId": instance.project_id,
                "groupSet": [{"groupName": g} for g in
                             views.groups.get(instance.uuid, [])],
                "instancesSet": []}
        reservations[key]["instancesSet"].append(views.instance(instance))
    return {"reservationSet": [reservations[k] for k in order],
            "nextToken": next_token}


def _instances(call):
    asked = call.params.strings("InstanceId")
    if not asked:
        call.params.require("InstanceId.1")
    result = []
    for ec2_id in asked:
        uuid = call.uuid(ec2_id, ("i",))
        found = _visible(call, [uuid])
        if not found:
            raise common.not_found("i", ec2_id)
        result.append((ec2_id, found[0]))
    return result


def _change(call, rule, act, wanted):
    """Run ``act(uuid)`` on every InstanceId; answer the instancesSet of
    previous and current states. An instance already in ``wanted`` is
    left alone, as on AWS."""
    changes = []
    targets = _instances(call)
    for _ec2_id, instance in targets:
        call.authorize(rule, _target(instance))
    for ec2_id, instance in targets:
        before = instance_view.state(instance)
        if before[0] not in wanted:
            try:
                act(instance.uuid)
            except exception.InstanceInvalidState as err:
                raise exception.Ec2Error("IncorrectInstanceState",
                                         f"{ec2_id}: {err}")
            instance = (_visible(call, [instance.uuid]) or [instance])[0]
        changes.append({"instanceId": ec2_id,
                        "currentState": instance_view.state_xml(
                            instance_view.state(instance)),
                        "previousState": instance_view.state_xml(before)})
    return {"instancesSet": changes}


def terminate_instances(call):
    compute = call.services.compute
    return _change(call, P % "delete",
                   lambda uuid: compute.delete(call.context, uuid),
                   ("terminated", "shutting-down"))


def stop_instances(call):
    compute = call.services.compute
    return _change(call, P % "stop",
                   lambda uuid: compute.stop(call.context, uuid),
                   ("stopped", "stopping"))


def start_instances(call):
    compute = call.services.compute
    return _change(call, P % "start",
                   lambda uuid: compute.start(call.context, uuid),
                   ("running", "pending"))


def reboot_instances(call):
    compute = call.services.compute

    def reboot(uuid):
        try:
            compute.reboot(call.context, uuid, "SOFT")
        except exception.ActionNotSupportedByHost:
            compute.reboot(call.context, uuid, "HARD")
    _change(call, P % "reboot", reboot, ())
    return {"return": True}


def get_console_output(call):
    ec2_id = call.params.require("InstanceId")
    instance = call.instance(ec2_id)
    compute = call.services.compute
    call.authorize("os_compute_api:os-console-output", _target(instance))
    try:
        text = compute.get_console_output(call.context, instance.uuid)
    except exception.InstanceInvalidState:
        text = ""
    return {"instanceId": ec2_id,
            "timestamp": datetime.datetime.now(datetime.UTC),
            "output": base64.b64encode(text.encode()).decode()}


def get_password_data(call):
    """The password the guest posted to the metadata service (encrypted
    with its key pair's public key, base64), as ``os-server-password``
    gives it; empty until the guest posts one."""
    ec2_id = call.params.require("InstanceId")
    instance = call.instance(ec2_id)
    compute = call.services.compute
    call.authorize("os_compute_api:os-server-password:show",
                   _target(instance))
    return {"instanceId": ec2_id,
            "timestamp": datetime.datetime.now(datetime.UTC),
            "passwordData": compute.get_server_password(call.context,
                                                       instance.uuid)}


ACTIONS = {
    "RunInstances": run_instances,
    "DescribeInstances": describe_instances,
    "TerminateInstances": terminate_instances,
    "StopInstances": stop_instances,
    "StartInstances": start_instances,
    "RebootInstances": reboot_instances,
    "GetConsoleOutput": get_console_output,
    "GetPasswordData": get_password_data,
}
