"""The EC2 actions: ``ACTIONS`` maps each action name to a function
``(call) -> dict`` (the response members, see :mod:`..xmlout`)."""

from nimbus.api.ec2.actions import (
    addresses,
    common,
    create_image,
    images,
    instance_attributes,
    instances,
    keypairs,
    regions,
    security_groups,
    tags,
    volumes,
)

Call = common.Call

ACTIONS = {}
for _module in (regions, instances, keypairs, images, tags,
                security_groups, volumes, addresses, create_image,
                instance_attributes):
    ACTIONS.update(_module.ACTIONS)
