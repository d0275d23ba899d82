"""Image v2 bodies (Glance's shapes)."""


def versions(base):
    return {"versions": [{
        "id": "v2.16", "status": "CURRENT",
        "links": [{"rel": "self", "href": base + "/image/v2/"}]}]}


def image(record):
    props = dict(record.get("properties") or {})
    props.pop("protected", None)
    body = {
        "id": record["id"], "name": record.get("name"),
        "status": record["status"], "visibility": record["visibility"],
        "protected": bool(record.get("protected", False)),
        "os_hidden": bool(record.get("os_hidden", False)),
        "checksum": record.get("checksum"), "os_hash_algo": None,
        "os_hash_value": None, "size": record.get("size"),
        "virtual_size": None, "min_disk": record.get("min_disk", 0),
        "min_ram": record.get("min_ram", 0),
        "disk_format": record.get("disk_format"),
        "container_format": record.get("container_format"),
        "owner": record.get("owner"), "created_at": record["created_at"],
        "updated_at": record["updated_at"], "tags": list(record.get("tags") or []),
        "self": f"/v2/images/{record['id']}",
        "file": f"/v2/images/{record['id']}/file",
        "schema": "/v2/schemas/image",
    }
    for key, value in props.items():
        body.setdefault(key, value)
    return body


def member(record):
    return {"image_id": record["image_id"], "member_id": record["member_id"],
            "status": record["status"], "created_at": record["created_at"],
            "updated_at": record["updated_at"],
            "schema": "/v2/schemas/member"}
