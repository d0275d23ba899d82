"""PATCH /v2/images/{id}: Glance's JSON patch
(``application/openstack-images-v2.1-json-patch``) turned into a change
of the image plugin's record.

Glance's answers: a body that is not a list of ``add``/``remove``/
``replace`` operations on top-level paths is 400; a read-only or
reserved attribute, removing a base attribute, or changing the formats
of an image that has data is 403; replacing or removing a custom
property that does not exist is 409; another media type is 415.
"""

import jsonschema

from nimbus.api import http
from nimbus.core import exception

MEDIA_TYPE = "application/openstack-images-v2.1-json-patch"

_READ_ONLY = frozenset((
    "id", "status", "checksum", "size", "virtual_size", "created_at",
    "updated_at", "self", "file", "schema", "direct_url", "owner",
    "os_hash_algo", "os_hash_value", "stores"))
_RESERVED = frozenset(("location", "deleted", "deleted_at"))
_FORMATS = ("disk_format", "container_format")

#: the base attributes a patch may set, with their value schemas.
BASE = {
    "name": {"type": ["string", "null"], "maxLength": 255},
    "visibility": {"enum": ["public", "private", "shared", "community"]},
    "protected": {"type": "boolean"},
    "os_hidden": {"type": "boolean"},
    "min_disk": {"type": "integer", "minimum": 0},
    "min_ram": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "maxItems": 128,
             "items": {"type": "string", "maxLength": 255}},
    "disk_format": {"enum": ["ami", "ari", "aki", "vhd", "vhdx", "vmdk",
                             "raw", "qcow2", "vdi", "iso", "ploop"]},
    "container_format": {"enum": ["ami", "ari", "aki", "bare", "ovf",
                                  "ova", "docker", "compressed"]},
}
_CUSTOM = {"type": ["string", "null"], "maxLength": 65535}


def _bad(reason):
    return exception.Invalid(reason=reason)


def _forbidden(reason):
    return exception.ImageForbidden(reason=reason)


def _attribute(op):
    if not isinstance(op, dict):
        raise _bad("Operation objects must be JSON objects.")
    kind = op.get("op")
    if kind not in ("add", "remove", "replace"):
        raise _bad("Operation objects must contain exactly one member "
                   "named 'add', 'remove', or 'replace'.")
    path = op.get("path")
    if not isinstance(path, str) or not path.startswith("/") or \
            len(path) < 2:
        raise _bad(f"Unable to find '{path}' in JSON Schema change")
    name = path[1:]
    if "/" in name:
        raise _bad("Nested paths are not allowed")
    name = name.replace("~1", "/").replace("~0", "~")
    if kind != "remove" and "value" not in op:
        raise _bad(f"Operation '{kind}' needs a 'value' member.")
    return kind, name


def _check_value(name, value, schema):
    try:
        http.check(value, schema)
    except jsonschema.ValidationError as err:
        raise _bad(f"Invalid value for {name}: {err.message}")


def changes(record, ops):
    """Return the ``ImageStore.update`` changes ``ops`` make to ``record``.

    :raises Invalid: a malformed patch (400).
    :raises ImageForbidden: a read-only, reserved or base attribute (403).
    :raises Conflict: a custom property that does not exist (409).
    """
    if not isinstance(ops, list):
        raise _bad("Request body must be a JSON array of operation "
                   "objects.")
    base = {key: record.get(key) for key in BASE}
    props = dict(record.get("properties") or {})
    for op in ops:
        kind, name = _attribute(op)
        if name in _RESERVED or name.startswith("os_glance"):
            raise _forbidden(f"Attribute '{name}' is reserved.")
        if name in _READ_ONLY:
            raise _forbidden(f"Attribute '{name}' is read-only.")
        if name in ("locations",):
            raise _forbidden("It's not allowed to update locations if "
                             "locations are invisible.")
        if name in BASE:
            if kind == "remove":
                raise _forbidden(f"Property {name} may not be removed.")
            _check_value(name, op["value"], BASE[name])
            if name in _FORMATS and record["status"] != "queued" and \
                    op["value"] != record.get(name):
                raise _forbidden("Properties disk_format, container_format "
                                 "must be set prior to saving data.")
            base[name] = op["value"]
        elif kind == "add":
            _check_value(name, op["value"], _CUSTOM)
            props[name] = op["value"]
        elif name not in props:
            raise exception.Conflict(reason=f"Property {name} does not "
                                            "exist.")
        elif kind == "replace":
            _check_value(name, op["value"], _CUSTOM)
            props[name] = op["value"]
        else:
            del props[name]
    result = {key: value for key, value in base.items()
              if value != record.get(key)}
    if props != (record.get("properties") or {}):
        result["properties"] = props
    return result
