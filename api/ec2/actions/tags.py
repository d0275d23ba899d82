"""CreateTags, DeleteTags, DescribeTags on the caller's instances and
images (``aws:`` keys are reserved, as on AWS)."""

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import common, instance_view, paging
from nimbus.core import exception

_TYPES = {"i": "instance", "ami": "image", "aki": "image", "ari": "image"}
FILTERS = ("resource-id", "resource-type", "key", "value")


def _resources(call):
    """The ResourceId.N the caller may tag: its own instances, images
    its project owns."""
    ids = call.params.strings("ResourceId")
    if not ids:
        call.params.require("ResourceId.1")
    for ec2_id in ids:
        prefix = common.parse_prefix(ec2_id, tuple(_TYPES))
        if prefix is None:
            raise ec2_params.bad(f"Invalid id: '{ec2_id}'")
        uuid = call.uuid(ec2_id, (prefix,))
        try:
            if prefix == "i":
                instance = call.services.compute.get(call.context, uuid)
                owner = instance.project_id
            else:
                owner = call.services.images.get(call.context,
                                                 uuid).get("owner")
        except exception.NotFound:
            raise common.not_found(prefix, ec2_id)
        if owner != call.context.project_id:
            raise exception.Ec2Error("UnauthorizedOperation", "You are not "
                                     f"authorized to tag {ec2_id}.", 403)
    return ids


def _tags(call, need_key=True):
    tags = []
    for tag in call.params.members("Tag"):
        if not isinstance(tag, dict) or not tag.get("Key"):
            raise exception.Ec2Error("MissingParameter",
                                     "A tag must have a Key.")
        key = tag["Key"]
        if not isinstance(key, str) or key.startswith("aws:") or \
                len(key) > 127:
            raise ec2_params.bad(f"Invalid tag key '{key}'.")
        value = tag.get("Value")
        if value is not None and (not isinstance(value, str) or
                                  len(value) > 255):
            raise ec2_params.bad(f"Invalid value of tag '{key}'.")
        tags.append((key, value))
    if need_key and not tags:
        call.params.require("Tag.1.Key")
    return tags


def create_tags(call):
    ids = _resources(call)
    tags = [(k, v or "") for k, v in _tags(call)]
    call.services.ec2_ids.set_tags(call.context, ids, tags)
    return {"return": True}


def delete_tags(call):
    ids = _resources(call)
    call.services.ec2_ids.delete_tags(call.context, ids,
                                      _tags(call, need_key=False))
    return {"return": True}


def describe_tags(call):
    filters = ec2_params.filters(call.params, FILTERS)
    items = []
    for tag in call.services.ec2_ids.tags(call.context):
        if tag["key"] == instance_view.CLIENT_TOKEN:
            continue
        kind = _TYPES.get(tag["resource_id"].split("-", 1)[0], "instance")
        values = {"resource-id": tag["resource_id"], "resource-type": kind,
                  "key": tag["key"], "value": tag["value"]}
        if all(ec2_params.matches(v, values[k]) for k, v in filters.items()):
            items.append({"resourceId": tag["resource_id"],
                          "resourceType": kind, "key": tag["key"],
                          "value": tag["value"]})
    items, next_token = paging.keyed(
        items, call.params,
        lambda t: paging.id_order(t["resourceId"]) + (t["key"],))
    return {"tagSet": items, "nextToken": next_token}


ACTIONS = {
    "CreateTags": create_tags,
    "DeleteTags": delete_tags,
    "DescribeTags": describe_tags,
}
