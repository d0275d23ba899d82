"""DescribeVolumes, CreateVolume, DeleteVolume, AttachVolume,
DetachVolume, DescribeSnapshots, CreateSnapshot, DeleteSnapshot: the
volume service (the same volumes ``openstack volume list`` shows)."""

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import common, paging
from nimbus.core import exception

V = "volume:%s"
ATTACH = "os_compute_api:os-volumes-attachments:%s"
_STATES = {"creating": "creating", "available": "available",
           "reserved": "in-use", "attaching": "in-use", "in-use": "in-use",
           "detaching": "in-use", "deleting": "deleting",
           "error": "error", "error_deleting": "error",
           "extending": "available", "downloading": "creating",
           "uploading": "in-use", "maintenance": "in-use"}
_SNAP_STATES = {"creating": "pending", "available": "completed",
                "deleting": "pending", "error": "error",
                "error_deleting": "error"}
VOLUME_FILTERS = ("volume-id", "status", "size", "availability-zone",
                  "snapshot-id", "attachment.instance-id", "tag:")
SNAPSHOT_FILTERS = ("snapshot-id", "volume-id", "status", "owner-id",
                    "volume-size", "description")


def _volumes(call):
    return call.services.volume


def _volume(call, ec2_id):
    uuid = call.uuid(ec2_id, ("vol",))
    try:
        return _volumes(call).get_volume(call.context, uuid)
    except exception.VolumeNotFound:
        raise common.not_found("vol", ec2_id)


def _volume_item(call, volume, ids, instance_ids, snap_ids):
    """The volumeSet item; a volume being attached is ``in-use`` with
    an ``attaching`` attachment (as on AWS) when the volume service has
    its pending attachment in ``volume["pending"]``, else ``available``
    until attached."""
    status = _STATES.get(volume["status"], "error")
    pending = [] if volume["attachments"] else volume.get("pending") or []
    if volume["status"] in ("attaching", "reserved") and \
            not volume["attachments"] and not pending:
        status = "available"
    attachments = [{
        "volumeId": ids[volume["id"]],
        "instanceId": instance_ids.get(a["server_id"]),
        "device": a["device"],
        "status": "attached" if a["attach_status"] == "attached"
        else a["attach_status"],
        "attachTime": a["attached_at"],
        "deleteOnTermination": False}
        for a in volume["attachments"] or pending]
    return {"volumeId": ids[volume["id"]], "size": volume["size"],
            "snapshotId": snap_ids.get(volume["snapshot_id"]) or "",
            "availabilityZone": volume["availability_zone"],
            "status": status,
            "createTime": volume["created_at"],
            "attachmentSet": attachments, "volumeType": "standard",
            "encrypted": False, "multiAttachEnabled": False}


def describe_volumes(call):
    call.authorize(V % "get_all")
    filters = ec2_params.filters(call.params, VOLUME_FILTERS)
    asked = call.params.strings("VolumeId")
    wanted = [call.uuid(v, ("vol",)) for v in asked]
    volumes = _volumes(call).list_volumes(call.context)
    found = {v["id"] for v in volumes}
    for ec2_id, uuid in zip(asked, wanted, strict=True):
        if uuid not in found:
            raise common.not_found("vol", ec2_id)
    pending = _volumes(call).pending_attachments(
        call.context, [v["id"] for v in volumes
                       if v["status"] in ("attaching", "reserved")])
    volumes = [dict(v, pending=pending.get(v["id"], [])) for v in volumes]
    ids = call.ec2_ids("vol", [v["id"] for v in volumes])
    instance_ids = call.ec2_ids("i", [a["server_id"] for v in volumes
                                      for a in v["attachments"] or
                                      v["pending"]])
    snap_ids = call.ec2_ids("snap", [v["snapshot_id"] for v in volumes
                                     if v["snapshot_id"]])
    items = []
    for volume in volumes:
        if wanted and volume["id"] not in wanted:
            continue
        item = _volume_item(call, volume, ids, instance_ids, snap_ids)
        values = {"volume-id": item["volumeId"], "status": item["status"],
                  "size": str(item["size"]),
                  "availability-zone": item["availabilityZone"],
                  "snapshot-id": item["snapshotId"],
                  "attachment.instance-id": [
                      a["instanceId"] for a in item["attachmentSet"]]}
        if all(ec2_params.matches(v, values.get(k))
               for k, v in filters.items()):
            items.append(item)
    items, next_token = paging.keyed(
        items, call.params, lambda v: paging.id_order(v["volumeId"]))
    return {"volumeSet": items, "nextToken": next_token}


def create_volume(call):
    size = call.params.integer("Size", minimum=1, maximum=16384)
    snapshot = call.params.get("SnapshotId")
    if size is None and not snapshot:
        call.params.require("Size")
    zone = call.params.get("AvailabilityZone")
    call.authorize(V % "create")
    snapshot_uuid = call.uuid(snapshot, ("snap",)) if snapshot else None
    try:
        volume = _volumes(call).create_volume(
            call.context, size, snapshot_id=snapshot_uuid,
            availability_zone=zone)
    except exception.OverQuota as err:
        raise exception.Ec2Error("VolumeLimitExceeded", str(err))
    except exception.SnapshotNotFound:
        raise common.not_found("snap", snapshot)
    ids = call.ec2_ids("vol", [volume["id"]])
    item = _volume_item(call, volume, ids, {}, {snapshot_uuid: snapshot})
    item.pop("attachmentSet")
    return item


def delete_volume(call):
    volume = _volume(call, call.params.require("VolumeId"))
    call.authorize(V % "delete")
    _volumes(call).delete_volume(call.context, volume["id"])
    return {"return": True}


def attach_volume(call):
    vol_id = call.params.require("VolumeId")
    inst_id = call.params.require("InstanceId")
    device = call.params.require("Device")
    volume = _volume(call, vol_id)
    instance = call.instance(inst_id)
    call.authorize(ATTACH % "create", {"project_id": instance.project_id})
    try:
        done = call.services.compute.attach_volume(
            call.context, instance.uuid, volume["id"], device)
    except exception.InstanceInvalidState as err:
        raise exception.Ec2Error("IncorrectInstanceState", str(err))
    return {"volumeId": vol_id, "instanceId": inst_id,
            "device": done.get("device") or device, "status": "attaching",
            "attachTime": None}


def detach_volume(call):
    vol_id = call.params.require("VolumeId")
    volume = _volume(call, vol_id)
    if not volume["attachments"]:
        raise exception.Ec2Error("IncorrectState", f"Volume {vol_id} is "
                                 "not attached.")
    attachment = volume["attachments"][0]
    inst_id = call.params.get("InstanceId")
    uuid = attachment["server_id"]
    if inst_id and call.uuid(inst_id, ("i",)) != uuid:
        raise exception.Ec2Error("IncorrectState", f"Volume {vol_id} is "
                                 f"not attached to {inst_id}.")
    instance = call.services.compute.get(call.context, uuid)
    call.authorize(ATTACH % "delete", {"project_id": instance.project_id})
    try:
        call.services.compute.detach_volume(call.context, uuid,
                                            volume["id"])
    except exception.InstanceInvalidState as err:
        raise exception.Ec2Error("IncorrectInstanceState", str(err))
    return {"volumeId": vol_id,
            "instanceId": inst_id or call.ec2_id("i", uuid),
            "device": attachment["device"], "status": "detaching"}


def _snapshot_item(snapshot, snap_id, vol_ids):
    return {"snapshotId": snap_id,
            "volumeId": vol_ids.get(snapshot["volume_id"]),
            "status": _SNAP_STATES.get(snapshot["status"], "error"),
            "startTime": snapshot["created_at"],
            "progress": f"{snapshot.get('progress') or '0%'}",
            "ownerId": snapshot["os-extended-snapshot-attributes:"
                                "project_id"],
            "volumeSize": snapshot["size"],
            "description": snapshot.get("description") or "",
            "encrypted": False}


def describe_snapshots(call):
    call.authorize(V % "get_all_snapshots")
    filters = ec2_params.filters(call.params, SNAPSHOT_FILTERS)
    asked = call.params.strings("SnapshotId")
    wanted = [call.uuid(s, ("snap",)) for s in asked]
    snapshots = _volumes(call).list_snapshots(call.context)
    found = {s["id"] for s in snapshots}
    for ec2_id, uuid in zip(asked, wanted, strict=True):
        if uuid not in found:
            raise common.not_found("snap", ec2_id)
    ids = call.ec2_ids("snap", list(found))
    vol_ids = call.ec2_ids("vol", [s["volume_id"] for s in snapshots])
    items = []
    for snapshot in snapshots:
        if wanted and snapshot["id"] not in wanted:
            continue
        item = _snapshot_item(snapshot, ids[snapshot["id"]], vol_ids)
        values = {"snapshot-id": item["snapshotId"],
                  "volume-id": item["volumeId"], "status": item["status"],
                  "owner-id": item["ownerId"],
                  "volume-size": str(item["volumeSize"]),
                  "description": item["description"]}
        if all(ec2_params.matches(v, values.get(k))
               for k, v in filters.items()):
            items.append(item)
    items, next_token = paging.keyed(
        items, call.params, lambda s: paging.id_order(s["snapshotId"]))
    return {"snapshotSet": items, "nextToken": next_token}


def create_snapshot(call):
    vol_id = call.params.require("VolumeId")
    volume = _volume(call, vol_id)
    call.authorize(V % "create_snapshot")
    try:
        snapshot = _volumes(call).create_snapshot(
            call.context, volume["id"],
            description=(call.params.get("Description") or "")[:255],
            force=True)
    except exception.UnsupportedOperation as err:
        raise exception.Ec2Error("UnsupportedOperation", str(err))
    return _snapshot_item(snapshot, call.ec2_id("snap", snapshot["id"]),
                          {volume["id"]: vol_id})


def delete_snapshot(call):
    snap_id = call.params.require("SnapshotId")
    uuid = call.uuid(snap_id, ("snap",))
    call.authorize(V % "delete_snapshot")
    try:
        _volumes(call).delete_snapshot(call.context, uuid)
    except exception.SnapshotNotFound:
        raise common.not_found("snap", snap_id)
    return {"return": True}


ACTIONS = {
    "DescribeVolumes": describe_volumes,
    "CreateVolume": create_volume,
    "DeleteVolume": delete_volume,
    "AttachVolume": attach_volume,
    "DetachVolume": detach_volume,
    "DescribeSnapshots": describe_snapshots,
    "CreateSnapshot": create_snapshot,
    "DeleteSnapshot": delete_snapshot,
}
