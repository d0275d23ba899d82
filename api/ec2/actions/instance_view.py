"""The EC2 shape of instances: states with AWS codes, and the
``instancesSet`` item boto3 reads (element names as botocore's ec2
parser wants them: ``instanceState``, ``dnsName``, ``groupSet``, ...)."""

import json

from nimbus.api.ec2 import params as ec2_params

PENDING, RUNNING, SHUTTING_DOWN = ("pending", 0), ("running", 16), \
    ("shutting-down", 32)
TERMINATED, STOPPING, STOPPED = ("terminated", 48), ("stopping", 64), \
    ("stopped", 80)
CLIENT_TOKEN = "aws:client-token"


def state(instance):
    """``(name, code)`` of an instance, from its vm and task states.

    A build that failed before the instance ever ran is ``terminated``
    (with a ``Server.InternalError`` reason), as AWS shows a launch that
    failed; an instance that failed later is ``stopped``.
    """
    vm, task = instance.vm_state, instance.task_state
    if instance.deleted or vm in ("deleted", "soft-delete"):
        return TERMINATED
    if task == "deleting":
        return SHUTTING_DOWN
    if vm == "building":
        return PENDING
    if vm == "error":
        return TERMINATED if instance.launched_at is None else STOPPED
    if task == "powering-off":
        return STOPPING
    if task == "powering-on":
        return PENDING
    if vm in ("stopped", "paused", "suspended", "shelved",
              "shelved_offloaded"):
        return STOPPED
    return RUNNING


def state_xml(value):
    return {"code": value[1], "name": value[0]}


def addresses(vifs):
    """``(private ips, public ips)`` of the instance's VIFs."""
    private, public = [], []
    for vif in vifs or ():
        floating = vif.get("floating_ips") or {}
        for fixed in vif.get("fixed_ips") or ():
            private.append(fixed)
            public.extend(floating.get(fixed, ()))
    return private, public


class Views:
    """Renders instances; reads what it needs for a whole list at once.

    :param call: the :class:`~.common.Call`.
    :param instances: the instance objects to render.
    """

    def __init__(self, call, instances=()):
        self.call = call
        self.ids, self.vifs, self.groups, self.tags = {}, {}, {}, {}
        self.image_prefix, self.image_ids = {}, {}
        self.add(instances)

    def add(self, instances):
        """Read what rendering ``instances`` needs: one query per kind
        (EC2 ids, VIFs, groups, images, tags) whatever their number."""
        call, ctx = self.call, self.call.context
        instances = [i for i in instances if i.uuid not in self.ids]
        if not instances:
            return
        ids = call.ec2_ids("i", [i.uuid for i in instances])
        self.ids.update(ids)
        live = [i.uuid for i in instances if not i.deleted]
        network = call.services.network
        vifs = network.get_nw_info_bulk(ctx, live) if live else {}
        self.vifs.update(vifs)
        recorded = network.get_security_group_names_bulk(ctx, live) \
            if live else {}
        # Until the network has the server's ports (and its groups), the
        # groups it was created with.
        self.groups.update({
            i.uuid: recorded.get(i.uuid) or (
                [] if vifs.get(i.uuid) else requested_groups(i))
            for i in instances if not i.deleted})
        self._add_images({i.image_ref for i in instances if i.image_ref})
        for tag in call.services.ec2_ids.tags(ctx, list(ids.values())):
            self.tags.setdefault(tag["resource_id"], []).append(tag)

    def _add_images(self, image_uuids):
        call = self.call
        image_uuids = image_uuids - set(self.image_ids)
        if not image_uuids:
            return
        for image in call.services.images.list(
                call.context, {"ids": sorted(image_uuids)}):
            self.image_prefix[image["id"]] = image_prefix(image)
        for prefix in ("ami", "aki", "ari"):
            wanted = [u for u in image_uuids
                      if self.image_prefix.get(u, "ami") == prefix]
            self.image_ids.update(call.ec2_ids(prefix, wanted))

    def tag_set(self, ec2_id):
        return [{"key": t["key"], "value": t["value"]}
                for t in self.tags.get(ec2_id, ())
                if t["key"] != CLIENT_TOKEN]

    def client_token(self, ec2_id):
        for tag in self.tags.get(ec2_id, ()):
            if tag["key"] == CLIENT_TOKEN:
                return tag["value"]
        return None

    def filter_values(self, instance):
        """The values each DescribeInstances filter compares."""
        ec2_id = self.ids[instance.uuid]
        private, public = addresses(self.vifs.get(instance.uuid))
        name, code = state(instance)
        values = {
            "instance-id": ec2_id, "instance-state-name": name,
            "instance-state-code": str(code),
            "instance-type": instance.flavor_name,
            "image-id": self.image_ids.get(instance.image_ref),
            "key-name": instance.key_name,
            "availability-zone": self.zone(instance),
            "reservation-id": instance.reservation_id,
            "private-ip-address": private, "ip-address": public,
            "launch-index": str(instance.launch_index),
            "owner-id": instance.project_id,
            "group-name": self.groups.get(instance.uuid, []),
            "client-token": self.client_token(ec2_id),
            "tag-key": [t["key"] for t in self.tag_set(ec2_id)],
            "tag-value": [t["value"] for t in self.tag_set(ec2_id)],
        }
        for tag in self.tag_set(ec2_id):
            values["tag:" + tag["key"]] = tag["value"]
        return values

    def matches(self, instance, filters):
        if not filters:
            return True
        values = self.filter_values(instance)
        return all(ec2_params.matches(wanted, values.get(name))
                   for name, wanted in filters.items())

    def zone(self, instance):
        return instance.availability_zone or \
            self.call.conf.compute.default_availability_zone

    def instance(self, instance):
        ec2_id = self.ids[instance.uuid]
        private, public = addresses(self.vifs.get(instance.uuid))
        current = state(instance)
        reason = None
        if instance.vm_state == "error":
            reason = {"code": "Server.InternalError",
                      "message": "Server.InternalError: the instance "
                                 "failed (see the server's fault)"}
        return {
            "instanceId": ec2_id,
            "imageId": self.image_ids.get(instance.image_ref),
            "instanceState": state_xml(current),
            "privateDnsName": private[0] if private else "",
            "dnsName": public[0] if public else "",
            "reason": "",
            "keyName": instance.key_name,
            "amiLaunchIndex": instance.launch_index,
            "productCodes": [],
            "instanceType": instance.flavor_name,
            "launchTime": instance.launched_at or instance.created_at,
            "placement": {"availabilityZone": self.zone(instance),
                          "groupName": "", "tenancy": "default"},
            "monitoring": {"state": "disabled"},
            "privateIpAddress": private[0] if private else None,
            "ipAddress": public[0] if public else None,
            "groupSet": [{"groupName": g}
                         for g in self.groups.get(instance.uuid, [])],
            "stateReason": reason,
            "architecture": "x86_64",
            "rootDeviceType": "instance-store",
            "rootDeviceName": "/dev/vda",
            "blockDeviceMapping": [],
            "virtualizationType": "hvm",
            "clientToken": self.client_token(ec2_id) or "",
            "tagSet": self.tag_set(ec2_id),
            "hypervisor": "xen",
            "ebsOptimized": False,
        }


def image_prefix(image):
    """``aki``/``ari`` for kernel and ramdisk images, else ``ami``."""
    kind = image.get("disk_format")
    return kind if kind in ("aki", "ari") else "ami"


def requested_groups(instance):
    """The group names the instance was created with (what the compute
    API recorded), shown until the network has recorded its own groups
    with its ports."""
    raw = (instance.system_metadata or {}).get("requested_security_groups")
    try:
        names = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [n for n in names if isinstance(n, str)]
