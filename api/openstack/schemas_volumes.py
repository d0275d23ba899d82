"""JSON schemas of the compute API's volume requests (Nova's, up to the
microversions nimbus serves)."""

#: Nova's ``parameter_types.tag``: server tags and device tags.
TAG = {"type": "string", "minLength": 1, "maxLength": 60,
       "pattern": "^[^,/]*$"}

VOLUME_ID = {"type": "string", "pattern":
             "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
             "[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"}

VOLUME_ATTACH = {
    "type": "object", "required": ["volumeAttachment"],
    "properties": {"volumeAttachment": {
        "type": "object", "required": ["volumeId"],
        "properties": {
            "volumeId": VOLUME_ID,
            # Only a hint (guests name disks in their own order).
            "device": {"type": ["string", "null"],
                       "pattern": "(^/dev/x{0,1}[a-z]{0,1}d{0,1})"
                                  "([a-z]+)[0-9]*$"},
        },
        "additionalProperties": False,
    }},
    "additionalProperties": False,
}



def volume_attach(at_least):
    """VOLUME_ATTACH as the request's microversion has it: a device
    ``tag`` from 2.49 (accepted and not kept, as the create-time tags:
    nimbus's metadata service shows no device metadata)."""
    if not at_least(49):
        return VOLUME_ATTACH
    entry = VOLUME_ATTACH["properties"]["volumeAttachment"]
    entry = dict(entry, properties=dict(entry["properties"], tag=TAG))
    return dict(VOLUME_ATTACH, properties={"volumeAttachment": entry})


_BOOL = {"oneOf": [{"type": "boolean"},
                   {"type": "string", "enum": ["true", "false", "True",
                                               "False", "1", "0"]}]}

#: one entry of ``block_device_mapping_v2`` on server create (Nova's
#: keys; which combinations nimbus serves the compute API decides).
BLOCK_DEVICE = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255},
        "source_type": {"enum": ["volume", "image", "snapshot", "blank"]},
        "destination_type": {"enum": ["local", "volume"]},
        "boot_index": {"type": ["integer", "string", "null"],
                       "pattern": "^-?[0-9]+$"},
        "delete_on_termination": _BOOL,
        "volume_size": {"type": ["integer", "string", "null"],
                        "pattern": "^[0-9]+$", "minimum": 1,
                        "maximum": 2147483647},
        "device_name": {"type": ["string", "null"], "maxLength": 255},
        "guest_format": {"type": ["string", "null"], "maxLength": 255},
        "disk_bus": {"type": ["string", "null"], "maxLength": 255},
        "device_type": {"type": ["string", "null"], "maxLength": 255},
        "no_device": {},
    },
    "additionalProperties": False,
}

BLOCK_DEVICE_MAPPING_V2 = {"type": "array", "items": BLOCK_DEVICE,
                           "maxItems": 26}

#: 2.32 (and from 2.42): a device ``tag``, accepted and not kept (nimbus's
#: metadata service shows no device metadata).
TAGGED_BLOCK_DEVICE = dict(BLOCK_DEVICE, properties=dict(
    BLOCK_DEVICE["properties"], tag=TAG))
