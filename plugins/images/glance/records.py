"""Glance v2 image JSON <-> the image contract's record dict."""

from nimbus.core.interfaces import images

#: keys of Glance's image schema that are no properties of the contract.
_GLANCE_KEYS = frozenset((
    "id", "name", "status", "disk_format", "container_format", "size",
    "checksum", "min_disk", "min_ram", "visibility", "owner", "protected",
    "os_hidden", "tags", "created_at", "updated_at", "virtual_size",
    "os_hash_algo", "os_hash_value", "direct_url", "locations", "self",
    "file", "schema", "stores"))
#: statuses of an image whose data is not (yet) there.
_QUEUED = ("queued", "saving", "uploading", "importing")


def from_glance(body):
    """The contract's record of one Glance image."""
    properties = {key: value for key, value in body.items()
                  if key not in _GLANCE_KEYS
                  and not key.startswith("os_glance_")}
    return images.normalise({
        "id": body["id"], "name": body.get("name"),
        "status": "queued" if body["status"] in _QUEUED else body["status"],
        "disk_format": body.get("disk_format"),
        "container_format": body.get("container_format"),
        "size": body.get("size"), "checksum": body.get("checksum"),
        "min_disk": body.get("min_disk") or 0,
        "min_ram": body.get("min_ram") or 0,
        "visibility": body["visibility"], "owner": body.get("owner"),
        "protected": bool(body.get("protected")),
        "os_hidden": bool(body.get("os_hidden")),
        "tags": sorted(body.get("tags") or []),
        "created_at": body["created_at"], "updated_at": body["updated_at"],
        "properties": properties})


def to_glance(record):
    """The body of ``POST /v2/images`` for a complete contract record
    (Glance keeps the properties as top-level string attributes)."""
    body = {key: record[key] for key in (
        "id", "name", "disk_format", "container_format", "min_disk",
        "min_ram", "visibility", "protected", "os_hidden", "tags")}
    if record.get("owner"):
        body["owner"] = record["owner"]
    body.update(record["properties"])
    return body


def patch(old, new):
    """The JSON patch (Glance's v2.1 media type) from record ``old`` to
    ``new``: core keys replaced, properties added, replaced, removed."""
    ops = [{"op": "replace", "path": f"/{key}", "value": new[key]}
           for key in images.UPDATABLE
           if key != "properties" and new[key] != old[key]]
    before, after = old["properties"], new["properties"]
    ops += [{"op": "remove", "path": f"/{key}"}
            for key in sorted(set(before) - set(after))]
    ops += [{"op": "replace" if key in before else "add",
             "path": f"/{key}", "value": after[key]}
            for key in sorted(after) if before.get(key) != after[key]]
    return ops
