"""CreateImage: a snapshot of an instance's root disk as a new image,
through the compute service API's ``create_image`` (the workflow the
OpenStack dialect's ``createImage`` server action uses).

The image is ``pending`` in DescribeImages while the compute uploads the
disk, then ``available``. ``NoReboot`` is accepted either way: nimbus
snapshots a running guest without rebooting it (the hypervisor pauses
it for the copy), so ``NoReboot=false`` does not reboot the instance
(AWS reboots it for file-system consistency).
"""

from nimbus.api.ec2 import params as ec2_params
from nimbus.core import exception

RULE = "os_compute_api:servers:create_image"


def create_image(call):
    """``InstanceId``, ``Name`` (3-128 characters), ``Description``,
    ``NoReboot`` -> ``imageId`` (``ami-...``).

    :raises Ec2Error: ``MissingParameter``, ``InvalidParameterValue``
        (a bad name), ``InvalidInstanceID.*``, ``IncorrectInstanceState``
        (the instance is busy, not running nor stopped, or boots from a
        volume), ``UnauthorizedOperation``.
    """
    ec2_id = call.params.require("InstanceId")
    name = call.params.require("Name")
    call.params.boolean("NoReboot")  # checked; see the module docstring
    if not 3 <= len(name) <= 128:
        raise ec2_params.bad("Image names are 3 to 128 characters long.")
    description = call.params.get("Description") or ""
    if len(description) > 255:
        raise ec2_params.bad("The description is longer than 255 "
                             "characters.")
    instance = call.instance(ec2_id)
    compute = call.services.compute
    call.authorize(RULE, {"project_id": instance.project_id,
                          "user_id": instance.user_id})
    metadata = {"description": description} if description else None
    try:
        image = compute.create_image(call.context, instance.uuid, name,
                                     metadata)
    except exception.InstanceInvalidState as err:
        raise exception.Ec2Error("IncorrectInstanceState",
                                 f"{ec2_id}: {err}")
    return {"imageId": call.ec2_id("ami", image["id"])}


ACTIONS = {"CreateImage": create_image}
