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



#: Nova's ``parameter_types.boolean`` (read with
#: ``strutils.bool_from_string``).
BOOLEAN = {"type": ["boolean", "string"],
           "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on",
                    "YES", "Yes", "yes",
                    False, "False", "FALSE", "false", "0", "OFF", "Off",
                    "off", "NO", "No", "no"]}


def _with(schema, **properties):
    entry = schema["properties"]["volumeAttachment"]
    entry = dict(entry, properties=dict(entry["properties"], **properties))
    return dict(schema, properties={"volumeAttachment": entry})


def volume_attach(at_least):
    """VOLUME_ATTACH as the request's microversion has it: a device
    ``tag`` from 2.49 (kept on the volume's block device mapping, shown
    from 2.70) and ``delete_on_termination`` from 2.79."""
    if not at_least(49):
        return VOLUME_ATTACH
    if not at_least(79):
        return _with(VOLUME_ATTACH, tag=TAG)
    return _with(VOLUME_ATTACH, tag=TAG, delete_on_termination=BOOLEAN)


#: PUT /servers/{id}/os-volume_attachments/{volume_id} below 2.85 (Nova's
#: swap): the new ``volumeId``.
VOLUME_SWAP = {
    "type": "object", "required": ["volumeAttachment"],
    "properties": {"volumeAttachment": {
        "type": "object", "required": ["volumeId"],
        "properties": {"volumeId": VOLUME_ID},
        "additionalProperties": False,
    }},
    "additionalProperties": False,
}

#: PUT /servers/{id}/os-volume_attachments/{volume_id} from 2.85: the
#: attachment as GET shows it; only ``delete_on_termination`` may
#: change (the other fields must be what they are).
VOLUME_ATTACH_UPDATE = _with(VOLUME_ATTACH, tag=TAG,
                             delete_on_termination=BOOLEAN,
                             serverId=VOLUME_ID, id=VOLUME_ID)


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

#: 2.32 (and from 2.42): a device ``tag``, kept on the block device
#: mapping (shown in volume attachments from 2.70).
TAGGED_BLOCK_DEVICE = dict(BLOCK_DEVICE, properties=dict(
    BLOCK_DEVICE["properties"], tag=TAG))

#: Nova's ``parameter_types.volume_type``.
VOLUME_TYPE = {"type": ["string", "null"], "minLength": 0,
               "maxLength": 255}

#: 2.67: a ``volume_type`` for the volume made for the server.
TYPED_BLOCK_DEVICE = dict(TAGGED_BLOCK_DEVICE, properties=dict(
    TAGGED_BLOCK_DEVICE["properties"], volume_type=VOLUME_TYPE))
