"""DescribeInstanceAttribute and ModifyInstanceAttribute, where an AWS
attribute maps onto nimbus:

=================================== ============== ======================
attribute                           describe       modify
=================================== ============== ======================
instanceType                        flavor name    resize (stopped only)
kernel / ramdisk                    image's        UnsupportedOperation
                                    kernel_id/
                                    ramdisk_id
userData                            user data      UnsupportedOperation
disableApiTermination               ``locked``     UnsupportedOperation
instanceInitiatedShutdownBehavior   ``stop``       ``stop`` only
rootDeviceName                      ``/dev/vda``   (read-only)
blockDeviceMapping                  attached       UnsupportedOperation
                                    volumes
groupSet                            its groups     replace its groups
sourceDestCheck                     ``true``       UnsupportedOperation
                                    (ports filter
                                    spoofing)
=================================== ============== ======================

Every other attribute AWS names (productCodes, ebsOptimized, ...) is
``InvalidParameterValue``.

A resize of a stopped instance is confirmed here once the compute has
finished it (AWS changes the type in one call, as nova's EC2 API did by
resizing then confirming); the action waits up to
``[ec2] resize_wait_seconds`` for that and answers ``true`` after
asking, leaving the confirmation to ``[compute] resize_confirm_window``
(or ``openstack server resize confirm``) when the compute is slower.
"""

import time

from nimbus.api.ec2 import params as ec2_params
from nimbus.core import exception

DESCRIBABLE = ("instanceType", "kernel", "ramdisk", "userData",
               "disableApiTermination", "instanceInitiatedShutdownBehavior",
               "rootDeviceName", "blockDeviceMapping", "groupSet",
               "sourceDestCheck")
#: AWS attribute names nimbus has nothing for.
UNMAPPED = ("productCodes", "ebsOptimized", "sriovNetSupport", "enaSupport",
            "enclaveOptions", "disableApiStop")
ROOT_DEVICE = "/dev/vda"
_SHOW = "os_compute_api:servers:show"
_RESIZE = "os_compute_api:servers:resize"
_ADD_GROUP = "os_compute_api:os-security-groups:add"
_REMOVE_GROUP = "os_compute_api:os-security-groups:remove"
_POLL = 0.2


def _target(instance):
    return {"project_id": instance.project_id, "user_id": instance.user_id}


def _instance(call):
    ec2_id = call.params.require("InstanceId")
    return ec2_id, call.instance(ec2_id)


def _image_prop(call, instance, name):
    if not instance.image_ref:
        return None
    try:
        image = call.services.images.get(call.context, instance.image_ref)
    except exception.ImageNotFound:
        return None
    ref = (image.get("properties") or {}).get(name)
    if not ref:
        return None
    prefix = "aki" if name == "kernel_id" else "ari"
    return call.ec2_id(prefix, ref)


def _groups(call, instance):
    return [{"groupId": call.ec2_id("sg", g["id"]), "groupName": g["name"]}
            for g in call.services.network.list_instance_security_groups(
                call.context, instance.uuid)]


def _block_devices(call, instance):
    attached = call.services.compute.volume_attachments(call.context,
                                                        instance.uuid)
    on_delete = {v["id"]: v["delete_on_termination"] for v in
                 call.services.compute.volumes_attached(
                     call.context, [instance]).get(instance.uuid, [])}
    vol_ids = call.ec2_ids("vol", [a["volume_id"] for a in attached])
    return [{"deviceName": a["device"],
             "ebs": {"volumeId": vol_ids[a["volume_id"]],
                     "status": "attached", "attachTime": a["attached_at"],
                     "deleteOnTermination": on_delete.get(a["volume_id"],
                                                          False)}}
            for a in sorted(attached, key=lambda a: a["device"] or "")]


def _value(value):
    return {"value": value}


def describe_instance_attribute(call):
    """``InstanceId``, ``Attribute`` -> ``instanceId`` and the attribute
    (``{"value": ...}``, or a list for blockDeviceMapping and groupSet).

    :raises Ec2Error: ``MissingParameter``, ``InvalidParameterValue`` (an
        attribute not in :data:`DESCRIBABLE`), ``InvalidInstanceID.*``.
    """
    attribute = call.params.require("Attribute")
    if attribute not in DESCRIBABLE:
        raise ec2_params.bad(_unknown(attribute))
    ec2_id, instance = _instance(call)
    call.authorize(_SHOW, _target(instance))
    if attribute == "instanceType":
        result = _value(instance.flavor_name)
    elif attribute in ("kernel", "ramdisk"):
        result = _value(_image_prop(call, instance, attribute + "_id"))
    elif attribute == "userData":
        result = _value(instance.user_data) if instance.user_data else {}
    elif attribute == "disableApiTermination":
        result = _value(bool(instance.locked))
    elif attribute == "instanceInitiatedShutdownBehavior":
        result = _value("stop")
    elif attribute == "rootDeviceName":
        result = _value(ROOT_DEVICE)
    elif attribute == "blockDeviceMapping":
        result = _block_devices(call, instance)
    elif attribute == "groupSet":
        result = _groups(call, instance)
    else:  # sourceDestCheck
        result = _value(True)
    return {"instanceId": ec2_id, attribute: result}


def _unknown(attribute):
    if attribute in UNMAPPED:
        return f"The attribute '{attribute}' is not supported by nimbus."
    return f"Value ({attribute}) for parameter attribute is invalid. " \
           "Unknown attribute."


# -- modify -------------------------------------------------------------------

_MODIFIABLE = {
    # request parameter -> attribute name
    "InstanceType": "instanceType", "Kernel": "kernel",
    "Ramdisk": "ramdisk", "UserData": "userData",
    "DisableApiTermination": "disableApiTermination",
    "InstanceInitiatedShutdownBehavior": "instanceInitiatedShutdownBehavior",
    "SourceDestCheck": "sourceDestCheck", "EbsOptimized": "ebsOptimized",
    "SriovNetSupport": "sriovNetSupport", "EnaSupport": "enaSupport",
    "DisableApiStop": "disableApiStop",
}


def _requested(call):
    """``(attribute, value)`` of the one change asked for: ``Attribute``
    + ``Value``, ``<Name>.Value``, ``GroupId.N`` or
    ``BlockDeviceMapping.N``."""
    asked = []
    attribute = call.params.get("Attribute")
    if attribute:
        asked.append((attribute, call.params.get("Value")))
    for param, name in _MODIFIABLE.items():
        node = call.params.tree.get(param)
        if node is None:
            continue
        if not isinstance(node, dict) or not isinstance(
                node.get("Value"), str):
            raise ec2_params.bad(f"Parameter {param} needs {param}.Value.")
        asked.append((name, node["Value"]))
    if call.params.tree.get("GroupId") is not None:
        asked.append(("groupSet", call.params.strings("GroupId")))
    if call.params.tree.get("BlockDeviceMapping") is not None:
        asked.append(("blockDeviceMapping", None))
    if not asked:
        raise exception.Ec2Error(
            "MissingParameter", "The request must contain an attribute to "
            "modify (Attribute and Value, or one of InstanceType, GroupId, "
            "...).")
    if len(asked) > 1:
        raise ec2_params.bad("Only one attribute can be modified at a "
                             "time.")
    return asked[0]


def modify_instance_attribute(call):
    """Change one attribute (see the module docstring); ``return`` true.

    :raises Ec2Error: ``IncorrectInstanceState`` (instanceType of an
        instance that is not stopped), ``UnsupportedOperation`` (an
        attribute nimbus shows but cannot change),
        ``InvalidParameterValue`` (an unknown attribute or flavor, an
        unknown group), ``InvalidGroup.NotFound``.
    """
    attribute, value = _requested(call)
    ec2_id, instance = _instance(call)
    if attribute == "instanceType":
        _resize(call, ec2_id, instance, value)
    elif attribute == "groupSet":
        _replace_groups(call, instance, value)
    elif attribute == "instanceInitiatedShutdownBehavior":
        if value != "stop":
            raise exception.Ec2Error(
                "UnsupportedOperation", "A guest that shuts itself down is "
                "stopped; 'terminate' is not supported.")
    elif attribute in DESCRIBABLE:
        raise exception.Ec2Error(
            "UnsupportedOperation", f"The attribute '{attribute}' cannot "
            "be modified in nimbus.")
    else:
        raise ec2_params.bad(_unknown(attribute))
    return {"return": True}


def _flavor(call, name):
    for flavor in call.services.admin.list_flavors(call.context):
        if flavor.name == name:
            return flavor
    raise ec2_params.bad(f"Invalid value '{name}' for InstanceType.")


def _resize(call, ec2_id, instance, name):
    if not name:
        raise exception.Ec2Error("MissingParameter",
                                 "The request must contain a Value.")
    flavor = _flavor(call, name)
    call.authorize(_RESIZE, _target(instance))
    if instance.flavor_id == flavor.flavorid:
        return  # nothing to change, as on AWS
    if instance.vm_state != "stopped" or instance.task_state is not None:
        raise exception.Ec2Error(
            "IncorrectInstanceState", f"The instance '{ec2_id}' is not in "
            "the 'stopped' state.")
    compute = call.services.compute
    try:
        compute.resize(call.context, instance.uuid, flavor.flavorid)
    except exception.InstanceInvalidState as err:
        raise exception.Ec2Error("IncorrectInstanceState",
                                 f"{ec2_id}: {err}")
    except exception.Conflict as err:
        raise exception.Ec2Error("IncorrectInstanceState",
                                 f"{ec2_id}: {err}")
    _confirm_when_done(call, instance.uuid)


def _confirm_when_done(call, uuid):
    """Confirm the resize once the compute has finished it; give up
    quietly when it failed (the instance's fault tells) or takes longer
    than ``[ec2] resize_wait_seconds``."""
    compute = call.services.compute
    deadline = time.monotonic() + call.conf.ec2.resize_wait_seconds
    while time.monotonic() < deadline:
        instance = compute.get(call.context, uuid)
        if instance.task_state is None:
            if instance.vm_state == "resized":
                compute.confirm_resize(call.context, uuid)
            return
        time.sleep(_POLL)


def _replace_groups(call, instance, group_ids):
    if not group_ids:
        raise exception.Ec2Error("MissingParameter",
                                 "The request must contain GroupId.1.")
    wanted = [call.uuid(g, ("sg",)) for g in group_ids]
    network = call.services.network
    current = [g["id"] for g in network.list_instance_security_groups(
        call.context, instance.uuid)]
    target = _target(instance)
    call.authorize(_ADD_GROUP, target)
    call.authorize(_REMOVE_GROUP, target)
    for group in wanted:
        if group not in current:
            network.add_security_group_to_instance(call.context,
                                                   instance.uuid, group)
    for group in current:
        if group not in wanted:
            network.remove_security_group_from_instance(
                call.context, instance.uuid, group)


ACTIONS = {
    "DescribeInstanceAttribute": describe_instance_attribute,
    "ModifyInstanceAttribute": modify_instance_attribute,
}
