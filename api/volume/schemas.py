"""JSON schemas of the Block Storage requests nimbus serves.

As Cinder's: every optional key may be JSON ``null`` (python-
openstackclient sends each unset option as null), sizes may be integers
or digit strings, unknown keys are ignored.
"""

_UUID = {"type": "string", "pattern":
         "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}"
         "-?[0-9a-fA-F]{12}$"}
_NULL = {"type": "null"}
_NAME = {"type": ["string", "null"], "maxLength": 255}
_DESCRIPTION = {"type": ["string", "null"], "maxLength": 255}
_SIZE = {"oneOf": [{"type": "integer", "minimum": 1,
                    "maximum": 2147483647},
                   {"type": "string", "pattern": "^[0-9]{1,10}$"}]}
_METADATA = {"type": ["object", "null"], "maxProperties": 128,
             "propertyNames": {"minLength": 1, "maxLength": 255},
             "additionalProperties": {"type": "string", "maxLength": 255}}
_BOOL = {"oneOf": [{"type": "boolean"},
                   {"type": "string", "enum": [
                       "true", "false", "True", "False", "1", "0", "yes",
                       "no", "on", "off", "y", "n", "t", "f"]}]}


def _nullable(schema):
    return {"oneOf": [schema, _NULL]}


VOLUME_CREATE = {
    "type": "object", "required": ["volume"],
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "name": _NAME, "display_name": _NAME,
                "description": _DESCRIPTION,
                "display_description": _DESCRIPTION,
                "size": _nullable(_SIZE),
                "volume_type": {"type": ["string", "null"],
                                "maxLength": 255},
                "availability_zone": {"type": ["string", "null"],
                                      "maxLength": 255},
                "metadata": _METADATA,
                "imageRef": {"type": ["string", "null"], "maxLength": 255},
                "snapshot_id": _nullable(_UUID),
                "source_volid": _nullable(_UUID),
                "backup_id": _nullable(_UUID),
                "consistencygroup_id": _nullable(_UUID),
                "group_id": _nullable(_UUID),
                "multiattach": _nullable(_BOOL),
            },
        },
        "OS-SCH-HNT:scheduler_hints": {"type": ["object", "null"]},
    },
}

VOLUME_UPDATE = {
    "type": "object", "required": ["volume"],
    "properties": {"volume": {
        "type": "object", "minProperties": 1,
        "properties": {
            "name": _NAME, "display_name": _NAME,
            "description": _DESCRIPTION, "display_description": _DESCRIPTION,
            "metadata": _METADATA,
        },
    }},
}

EXTEND = {
    "type": "object", "required": ["new_size"],
    "properties": {"new_size": _SIZE},
}

UPLOAD_IMAGE = {
    "type": "object", "required": ["image_name"],
    "properties": {
        "image_name": {"type": "string", "minLength": 1, "maxLength": 255},
        "disk_format": {"enum": ["raw", "qcow2", "vmdk", "vdi", "vhd",
                                 "vhdx", "ploop", None]},
        "container_format": {"enum": ["bare", None]},
        "force": _nullable(_BOOL),
        "visibility": {"enum": ["public", "private", "shared",
                                "community", None]},
        "protected": _nullable(_BOOL),
    },
}

#: action name -> schema of its argument (``{"os-extend": {...}}``).
VOLUME_ACTIONS = {
    "os-extend": EXTEND,
    "os-volume_upload_image": UPLOAD_IMAGE,
}

VOLUME_ACTION = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "properties": {name: {"type": "object"} for name in VOLUME_ACTIONS},
    "additionalProperties": False,
}

SNAPSHOT_CREATE = {
    "type": "object", "required": ["snapshot"],
    "properties": {"snapshot": {
        "type": "object", "required": ["volume_id"],
        "properties": {
            "volume_id": _UUID,
            "name": _NAME, "display_name": _NAME,
            "description": _DESCRIPTION,
            "display_description": _DESCRIPTION,
            "force": _nullable(_BOOL),
            "metadata": _METADATA,
        },
    }},
}

SNAPSHOT_UPDATE = {
    "type": "object", "required": ["snapshot"],
    "properties": {"snapshot": {
        "type": "object", "minProperties": 1,
        "properties": {
            "name": _NAME, "display_name": _NAME,
            "description": _DESCRIPTION, "display_description": _DESCRIPTION,
        },
    }},
}

_TRUE = ("true", "1", "yes", "on", "y", "t")


def boolean(value):
    """A request boolean (JSON or Cinder's strings) as ``bool``."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


# -- volume types ------------------------------------------------------------

_SPECS = {"type": "object", "maxProperties": 128,
          "propertyNames": {"minLength": 1, "maxLength": 255},
          "additionalProperties": {"type": ["string", "integer", "number",
                                            "boolean"]}}

TYPE_CREATE = {
    "type": "object", "required": ["volume_type"],
    "properties": {"volume_type": {
        "type": "object", "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": _DESCRIPTION,
            "os-volume-type-access:is_public": _nullable(_BOOL),
            "is_public": _nullable(_BOOL),
            "extra_specs": {"oneOf": [_SPECS, _NULL]},
        },
    }},
}

TYPE_UPDATE = {
    "type": "object", "required": ["volume_type"],
    "properties": {"volume_type": {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"], "minLength": 1,
                     "maxLength": 255},
            "description": _DESCRIPTION,
            "is_public": _nullable(_BOOL),
        },
    }},
}

EXTRA_SPECS = {
    "type": "object", "required": ["extra_specs"],
    "properties": {"extra_specs": dict(_SPECS, minProperties=1)},
}

#: ``PUT /types/{id}/extra_specs/{key}``: ``{key: value}``.
EXTRA_SPEC = dict(_SPECS, minProperties=1, maxProperties=1)

_PROJECT = {"type": "object", "required": ["project"],
            "properties": {"project": {"type": "string", "minLength": 1,
                                       "maxLength": 255}}}

TYPE_ACTION = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "properties": {"addProjectAccess": _PROJECT,
                   "removeProjectAccess": _PROJECT},
    "additionalProperties": False,
}


# -- metadata ----------------------------------------------------------------

METADATA = {
    "type": "object", "required": ["metadata"],
    "properties": {"metadata": dict(_METADATA, type="object")},
}

#: ``PUT .../metadata/{key}``: ``{"meta": {key: value}}``.
META_ITEM = {
    "type": "object", "required": ["meta"],
    "properties": {"meta": dict(_METADATA, type="object", minProperties=1,
                                maxProperties=1)},
}
