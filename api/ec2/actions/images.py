"""DescribeImages, RegisterImage, DeregisterImage, DescribeImageAttribute,
ModifyImageAttribute: the image plugin's records in EC2's terms.

Launch permissions are the image's visibility and members: ``Group=all``
is ``public``; a ``UserId`` (a project id, nimbus's account id) is a
member of the then ``shared`` image, accepted at once (as nova's EC2 API
did: there is no acceptance step in EC2).

RegisterImage records an image (name, description, architecture): it is
``pending`` until its data is uploaded through the Image API (``openstack
image create --file`` or ``image upload``), then ``available``. There is
no S3 bundle (``ImageLocation``) to import from.
"""

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import common, instance_view
from nimbus.core import exception

IMAGE = "image:%s"
FILTERS = ("image-id", "name", "state", "owner-id", "is-public",
           "image-type", "architecture", "description", "tag:")
_STATES = {"active": "available", "queued": "pending", "saving": "pending",
           "importing": "pending", "uploading": "pending",
           "killed": "failed", "deleted": "deregistered",
           "pending_delete": "deregistered", "deactivated": "failed"}
_TYPES = {"ami": "machine", "aki": "kernel", "ari": "ramdisk"}


def _public(image):
    return image["visibility"] in ("public", "community")


def _props(image):
    return image.get("properties") or {}


class _Views:
    def __init__(self, call, images):
        self.call = call
        self.ids = {}
        for prefix in common.IMAGE_PREFIXES:
            self.ids.update(call.ec2_ids(prefix, [
                i["id"] for i in images
                if instance_view.image_prefix(i) == prefix]))
        tags = call.services.ec2_ids.tags(call.context,
                                          list(self.ids.values()))
        self.tags = {}
        for tag in tags:
            self.tags.setdefault(tag["resource_id"], []).append(
                {"key": tag["key"], "value": tag["value"]})

    def values(self, image):
        ec2_id = self.ids[image["id"]]
        values = {"image-id": ec2_id, "name": image.get("name"),
                  "state": _STATES.get(image["status"], "failed"),
                  "owner-id": image.get("owner") or "",
                  "is-public": "true" if _public(image) else "false",
                  "image-type": _TYPES[instance_view.image_prefix(image)],
                  "architecture": _props(image).get("architecture",
                                                    "x86_64"),
                  "description": _props(image).get("description"),
                  "tag-key": [t["key"] for t in self.tags.get(ec2_id, [])],
                  "tag-value": [t["value"] for t in
                                self.tags.get(ec2_id, [])]}
        for tag in self.tags.get(ec2_id, []):
            values["tag:" + tag["key"]] = tag["value"]
        return values

    def item(self, image):
        ec2_id = self.ids[image["id"]]
        values = self.values(image)
        return {
            "imageId": ec2_id,
            "imageLocation": f"{image.get('owner') or ''}/"
                             f"{image.get('name') or ''}",
            "imageState": values["state"],
            "imageOwnerId": values["owner-id"],
            "creationDate": image.get("created_at"),
            "isPublic": _public(image),
            "architecture": values["architecture"],
            "imageType": values["image-type"],
            "name": image.get("name"),
            "description": values["description"],
            "rootDeviceType": "instance-store",
            "rootDeviceName": "/dev/vda",
            "blockDeviceMapping": [],
            "virtualizationType": "hvm",
            "hypervisor": "xen",
            "tagSet": self.tags.get(ec2_id, []),
        }


def _owner_ok(call, image, owners):
    if not owners:
        return True
    owner = image.get("owner") or ""
    for wanted in owners:
        if wanted == "self" and owner == call.context.project_id:
            return True
        if wanted == owner:
            return True
    return False


def describe_images(call):
    call.authorize(IMAGE % "get_images")
    filters = ec2_params.filters(call.params, FILTERS)
    owners = call.params.strings("Owner")
    asked = call.params.strings("ImageId")
    store = call.services.images
    if asked:
        uuids = [call.uuid(ec2_id, common.IMAGE_PREFIXES) for ec2_id in asked]
        images = store.list(call.context, {"ids": uuids})
        found = {i["id"] for i in images}
        for ec2_id, uuid in zip(asked, uuids, strict=True):
            if uuid not in found:
                raise common.not_found("ami", ec2_id)
    else:
        images = store.list(call.context)
    views = _Views(call, images)
    items = [views.item(i) for i in images
             if _owner_ok(call, i, owners) and all(
                 ec2_params.matches(v, views.values(i).get(k))
                 for k, v in filters.items())]
    return {"imagesSet": items}


def _image(call, ec2_id):
    uuid = call.uuid(ec2_id, common.IMAGE_PREFIXES)
    try:
        return call.services.images.get(call.context, uuid)
    except exception.ImageNotFound:
        raise common.not_found("ami", ec2_id)


def _owner_target(image):
    return {"project_id": image.get("owner") or ""}


def register_image(call):
    name = call.params.require("Name")
    if call.params.get("ImageLocation"):
        raise exception.Ec2Error(
            "UnsupportedOperation", "Registering an image from an S3 "
            "location is not supported: register it, then upload its data "
            "through the Image API.")
    if len(name) > 128 or len(name) < 3:
        raise ec2_params.bad("Image names are 3 to 128 characters long.")
    call.authorize(IMAGE % "add_image")
    props = {"architecture": call.params.get("Architecture") or "x86_64"}
    if call.params.get("Description"):
        props["description"] = call.params.get("Description")[:255]
    image = call.services.images.create(call.context, {
        "name": name, "visibility": "private",
        "owner": call.context.project_id, "disk_format": "raw",
        "container_format": "bare", "properties": props})
    return {"imageId": call.ec2_id("ami", image["id"])}


def deregister_image(call):
    image = _image(call, call.params.require("ImageId"))
    call.authorize(IMAGE % "delete_image", _owner_target(image))
    if not call.context.is_admin and \
            image.get("owner") != call.context.project_id:
        raise exception.Ec2Error("AuthFailure", "Not authorized for image "
                                 f"{call.params.get('ImageId')}", 403)
    call.services.images.delete(call.context, image["id"])
    return {"return": True}


def describe_image_attribute(call):
    ec2_id = call.params.require("ImageId")
    attribute = call.params.require("Attribute")
    call.authorize(IMAGE % "get_image")
    image = _image(call, ec2_id)
    result = {"imageId": ec2_id}
    if attribute == "launchPermission":
        result["launchPermission"] = _launch_permission(call, image)
    elif attribute == "description":
        result["description"] = {"value": _props(image).get("description")}
    elif attribute in ("kernel", "ramdisk"):
        result[attribute] = {}
    elif attribute == "blockDeviceMapping":
        result["blockDeviceMapping"] = []
    else:
        raise ec2_params.bad(f"Invalid attribute: {attribute}")
    return result


def _launch_permission(call, image):
    permissions = [{"group": "all"}] if _public(image) else []
    if image["visibility"] == "shared":
        members = call.services.images.list_members(call.context,
                                                    image["id"])
        if not call.context.is_admin and \
                image.get("owner") != call.context.project_id:
            members = [m for m in members
                       if m["member_id"] == call.context.project_id]
        permissions += [{"userId": m["member_id"]} for m in members]
    return permissions


def _permission(entry, where):
    if not isinstance(entry, dict) or set(entry) - {"Group", "UserId"} \
            or len(entry) != 1:
        raise ec2_params.bad(f"{where} takes one Group or UserId.")
    if "Group" in entry:
        if entry["Group"] != "all":
            raise ec2_params.bad(f"Invalid group {entry['Group']!r}: the "
                                 "only group is 'all'.")
        return ("group", "all")
    if not entry["UserId"]:
        raise ec2_params.bad(f"{where}.UserId is empty.")
    return ("user", entry["UserId"])


def _permission_changes(params, attribute):
    """``(adds, removes)`` of ``("group", "all")``/``("user", id)`` from
    ``LaunchPermission.Add|Remove.N`` or the older ``Attribute=
    launchPermission``, ``OperationType``, ``UserGroup.N``, ``UserId.N``."""
    changes = {"Add": [], "Remove": []}
    node = params.tree.get("LaunchPermission")
    if node is not None:
        if not isinstance(node, dict) or set(node) - set(changes):
            raise ec2_params.bad("LaunchPermission takes Add and Remove.")
        for key in changes:
            where = f"LaunchPermission.{key}"
            changes[key] = [_permission(e, where) for e in
                            ec2_params.indexed(node.get(key), where)]
    if attribute == "launchPermission":
        operation = (params.require("OperationType") or "").lower()
        if operation not in ("add", "remove"):
            raise ec2_params.bad("OperationType is add or remove.")
        key = operation.capitalize()
        changes[key] += [_permission({"Group": g}, "UserGroup")
                         for g in params.strings("UserGroup")]
        changes[key] += [_permission({"UserId": u}, "UserId")
                         for u in params.strings("UserId")]
    return changes["Add"], changes["Remove"]


def _description(params, attribute):
    node = params.tree.get("Description")
    if isinstance(node, dict):
        return node.get("Value")
    if node is not None:
        return node
    if attribute == "description":
        return params.require("Value")
    return None


def modify_image_attribute(call):
    ec2_id = call.params.require("ImageId")
    attribute = call.params.get("Attribute")
    if attribute not in (None, "launchPermission", "description"):
        raise ec2_params.bad(f"Invalid attribute: {attribute} (this cloud "
                             "changes launchPermission and description)")
    adds, removes = _permission_changes(call.params, attribute)
    description = _description(call.params, attribute)
    if not adds and not removes and description is None:
        raise exception.Ec2Error(
            "MissingParameter", "The request must contain the parameter "
            "LaunchPermission or Description")
    image = _image(call, ec2_id)
    call.authorize(IMAGE % "modify_image", _owner_target(image))
    if ("group", "all") in adds:
        call.authorize(IMAGE % "publicize_image")
    users_added = [who for kind, who in adds if kind == "user"]
    if users_added:
        call.authorize(IMAGE % "add_member", _owner_target(image))
    changes = _visibility_change(image, adds, removes)
    if description is not None:
        changes["properties"] = dict(_props(image),
                                     description=description[:255])
    store = call.services.images
    if changes:
        image = store.update(call.context, image["id"], changes)
    for kind, who in removes:
        if kind == "user":
            try:
                store.delete_member(call.context, image["id"], who)
            except exception.ImageMemberNotFound:
                pass
    for who in users_added:
        try:
            store.add_member(call.context, image["id"], who)
        except exception.Conflict:
            pass  # already a member: accepted below all the same
        store.update_member(call.context, image["id"], who, "accepted")
    return {"return": True}


def _visibility_change(image, adds, removes):
    """The visibility the launch permission changes leave the image in."""
    visibility = image["visibility"]
    if ("group", "all") in removes and visibility in ("public",
                                                      "community"):
        visibility = "private"
    if ("group", "all") in adds:
        visibility = "public"
    if any(kind == "user" for kind, _ in adds):
        if visibility == "public":
            raise ec2_params.bad(
                "The image is public: every account can launch it; remove "
                "Group=all in another call first to share it with accounts.")
        visibility = "shared"
    return {"visibility": visibility} \
        if visibility != image["visibility"] else {}


ACTIONS = {
    "ModifyImageAttribute": modify_image_attribute,
    "DescribeImages": describe_images,
    "RegisterImage": register_image,
    "DeregisterImage": deregister_image,
    "DescribeImageAttribute": describe_image_attribute,
}
