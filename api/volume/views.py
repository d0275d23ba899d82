"""Block Storage v3 bodies (Cinder's view builders), from the dicts the
volume service API returns; fields appear at the microversions Cinder
added them."""


def _link(base, kind, ident):
    return [{"rel": "self", "href": f"{base}/volume/v3/{kind}/{ident}"},
            {"rel": "bookmark", "href": f"{base}/volume/{kind}/{ident}"}]


def _time(value):
    if value is None or isinstance(value, str):
        return value
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def attachment(entry):
    """One attachment as Cinder lists it (``server_id`` and ``device``
    are what ``openstack volume list`` reads)."""
    return {"id": entry.get("id") or entry.get("volume_id"),
            "attachment_id": entry.get("attachment_id"),
            "volume_id": entry.get("volume_id"),
            "server_id": entry.get("server_id"),
            "host_name": entry.get("host_name"),
            "device": entry.get("device"),
            "attached_at": _time(entry.get("attached_at"))}


def volume_summary(base, volume):
    return {"id": volume["id"], "name": volume.get("name"),
            "links": _link(base, "volumes", volume["id"])}


def volume_detail(base, volume, version, admin):
    """The detailed view.

    :param version: the request's microversion ``(3, minor)``.
    :param admin: whether the caller sees the admin-only attributes
        (host, provider id).
    """
    body = volume_summary(base, volume)
    body.update({
        "status": volume["status"], "size": volume["size"],
        "availability_zone": volume.get("availability_zone"),
        "created_at": _time(volume.get("created_at")),
        "updated_at": _time(volume.get("updated_at")),
        "attachments": [attachment(a) for a in
                        volume.get("attachments") or []],
        "description": volume.get("description"),
        "volume_type": volume.get("volume_type"),
        "snapshot_id": volume.get("snapshot_id"),
        "source_volid": volume.get("source_volid"),
        "metadata": dict(volume.get("metadata") or {}),
        "user_id": volume.get("user_id"),
        "bootable": "true" if volume.get("bootable") in (
            True, "true", "True") else "false",
        "encrypted": bool(volume.get("encrypted", False)),
        "replication_status": volume.get("replication_status"),
        "consistencygroup_id": volume.get("consistencygroup_id"),
        "multiattach": bool(volume.get("multiattach", False)),
        "migration_status": volume.get("migration_status"),
        "os-vol-tenant-attr:tenant_id":
            volume.get("os-vol-tenant-attr:tenant_id"),
        "os-vol-mig-status-attr:migstat": volume.get("migration_status"),
        "os-vol-mig-status-attr:name_id": None,
    })
    if volume.get("volume_image_metadata"):
        body["volume_image_metadata"] = dict(
            volume["volume_image_metadata"])
    if admin:
        body["os-vol-host-attr:host"] = volume.get("os-vol-host-attr:host")
    if version >= (3, 13):
        body["group_id"] = volume.get("group_id")
    if version >= (3, 21) and admin:
        body["provider_id"] = volume.get("provider_id")
    if version >= (3, 48):
        body["shared_targets"] = bool(volume.get("shared_targets", False))
        body["service_uuid"] = volume.get("service_uuid")
    if version >= (3, 61) and admin:
        body["cluster_name"] = volume.get("cluster_name")
    if version >= (3, 63):
        body["volume_type_id"] = volume.get("volume_type_id")
    if version >= (3, 65):
        body["consumes_quota"] = True
    return body


def snapshot(base, snap, version, detail=True):
    """A snapshot (summary and detail are the same in Cinder, except for
    the extended attributes)."""
    body = {
        "id": snap["id"], "name": snap.get("name"),
        "description": snap.get("description"),
        "volume_id": snap["volume_id"], "status": snap["status"],
        "size": snap["size"],
        "created_at": _time(snap.get("created_at")),
        "updated_at": _time(snap.get("updated_at")),
        "metadata": dict(snap.get("metadata") or {}),
    }
    if detail:
        body["os-extended-snapshot-attributes:project_id"] = snap.get(
            "os-extended-snapshot-attributes:project_id",
            snap.get("project_id"))
        body["os-extended-snapshot-attributes:progress"] = snap.get(
            "os-extended-snapshot-attributes:progress",
            snap.get("progress") or ("100%" if snap["status"] ==
                                     "available" else "0%"))
    if version >= (3, 14):
        body["group_snapshot_id"] = None
    if version >= (3, 41):
        body["user_id"] = snap.get("user_id")
    if version >= (3, 65):
        body["consumes_quota"] = True
    return body
