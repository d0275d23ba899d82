"""Cinder's view fields of nimbus's volume, snapshot and attachment
rows, as the volume API hands them to dialects."""

import json


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def attachment(row):
    """Cinder's attachment view fields of an attachment row."""
    return {"id": row["volume_id"], "attachment_id": row["id"],
            "volume_id": row["volume_id"],
            "server_id": row["instance_uuid"],
            "host_name": row["attached_host"],
            "device": row["mountpoint"],
            "attached_at": iso(row["attach_time"]),
            "attach_status": row["attach_status"]}


def volume(row, attachments):
    """Cinder's volume view fields of a volume row."""
    return {
        "id": row["id"], "name": row["display_name"],
        "description": row["display_description"],
        "size": row["size"], "status": row["status"],
        "availability_zone": row["availability_zone"],
        "bootable": "true" if row["bootable"] else "false",
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "volume_type": row["volume_type"],
        "volume_type_id": row["volume_type_id"],
        "snapshot_id": row["snapshot_id"],
        "source_volid": row["source_volid"],
        "metadata": json.loads(row["metadata_json"] or "{}"),
        "attachments": [attachment(a)
                        for a in attachments.get(row["id"], [])],
        "os-vol-host-attr:host": row["host"],
        "os-vol-tenant-attr:tenant_id": row["project_id"],
        "multiattach": bool(row["multiattach"]), "encrypted": False,
        "user_id": row["user_id"], "migration_status": None,
        "replication_status": None, "consistencygroup_id": None,
        "group_id": None, "provider_id": None,
        "service_uuid": None, "shared_targets": False,
        "cluster_name": None,
        "volume_image_metadata": json.loads(
            row["image_metadata_json"] or "{}") or None,
        "fault": row["fault_message"],
    }


def snapshot(row):
    """Cinder's snapshot view fields of a snapshot row."""
    return {
        "id": row["id"], "name": row["display_name"],
        "description": row["display_description"],
        "status": row["status"], "size": row["volume_size"],
        "volume_id": row["volume_id"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "metadata": json.loads(row["metadata_json"] or "{}"),
        "progress": row["progress"],
        "os-extended-snapshot-attributes:project_id": row["project_id"],
        "os-extended-snapshot-attributes:progress": row["progress"],
        "user_id": row["user_id"], "group_snapshot_id": None,
        "consumes_quota": True,
        "fault": row["fault_message"],
    }


def image_metadata(image):
    """The ``volume_image_metadata`` Cinder records from an image."""
    meta = {key: str(value) for key, value in
            (image.get("properties") or {}).items()}
    meta.update({"image_id": image["id"], "image_name": image.get("name"),
                 "disk_format": image.get("disk_format"),
                 "container_format": image.get("container_format"),
                 "checksum": image.get("checksum"),
                 "min_disk": str(image.get("min_disk") or 0),
                 "min_ram": str(image.get("min_ram") or 0),
                 "size": str(image.get("size") or 0)})
    return {k: v for k, v in meta.items() if v is not None}
