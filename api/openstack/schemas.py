"""JSON schemas of request bodies (compute API 2.1)."""

from nimbus.api.openstack import (
    schemas_consoles,
    schemas_image_actions,
    schemas_moves,
    schemas_network,
    schemas_volumes,
)

# No leading/trailing whitespace, no control characters (Nova's rule).
_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^(?!\s)(?!.*\s$)[^\x00-\x1f\x7f]*$"}
_REF = {"type": "string", "minLength": 1, "maxLength": 255}
#: Nova's ``parameter_types.fqdn`` (host names; underscores allowed).
_FQDN = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^[a-zA-Z0-9-._]*$"}
#: Nova's ``parameter_types.description`` (2.19): null or up to 255
#: printable characters (no control characters, no line breaks).
DESCRIPTION = {"type": ["string", "null"], "minLength": 0, "maxLength": 255,
               "pattern": r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"}
#: Nova's ``parameter_types.boolean``: JSON booleans and the strings
#: scripts and older tools send (read with ``strutils.bool_from_string``).
BOOLEAN = {"type": ["boolean", "string"],
           "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on",
                    "YES", "Yes", "yes", "y", "t",
                    False, "False", "FALSE", "false", "0", "OFF", "Off",
                    "off", "NO", "No", "no", "n", "f"]}
# Capped so a request cannot make the API build millions of rows before
# the quota check refuses them.
_COUNT = {"type": ["integer", "string"], "pattern": "^[0-9]{1,4}$",
          "minimum": 1, "maximum": 1000}
#: Nova's ``parameter_types.metadata`` keys: letters, digits and
#: ``-_:. `` (any other key is an unexpected property, a 400).
METADATA_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
# No item cap here: more items than ``[quota] metadata_items`` is the
# quota's 403, as Nova answers, not a schema 400.
_METADATA = {"type": "object",
             "patternProperties": {METADATA_KEY: {"type": "string",
                                                  "maxLength": 255}},
             "additionalProperties": False}

SERVER_CREATE = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": _NAME,
                # Empty or absent for a server booted from a volume.
                "imageRef": {"type": ["string", "null"], "maxLength": 255},
                "flavorRef": _REF,
                "min_count": _COUNT,
                "max_count": _COUNT,
                "metadata": _METADATA,
                "key_name": {"type": ["string", "null"], "maxLength": 255},
                "user_data": schemas_image_actions.USER_DATA,
                "availability_zone": {"type": ["string", "null"],
                                      "maxLength": 255},
                # checked per microversion by the controller
                # (schemas_network.networks)
                "networks": {"type": ["array", "string"]},
                "security_groups":
                    schemas_network.SECURITY_GROUPS_ON_CREATE,
                "block_device_mapping_v2":
                    schemas_volumes.BLOCK_DEVICE_MAPPING_V2,
                "config_drive": {"type": ["boolean", "string", "null"]},
                "accessIPv4": {"type": "string", "format": "ipv4"},
                "accessIPv6": {"type": "string", "format": "ipv6"},
                "adminPass": {"type": "string"},
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "return_reservation_id": {"type": ["boolean", "string"]},
                "description": DESCRIPTION,
                # 2.52 (for_version): Nova's tags, at most 50.
                "tags": {"type": "array", "items": schemas_volumes.TAG,
                         "maxItems": 50},
                # 2.74 (for_version): a requested destination.
                "host": _FQDN,
                "hypervisor_hostname": _FQDN,
                # 2.63 (for_version)
                "trusted_image_certificates":
                    schemas_image_actions.TRUSTED_CERTS,
            },
            "required": ["name", "flavorRef"],
            "additionalProperties": False,
        },
        "os:scheduler_hints": {"type": "object"},
        "OS-SCH-HNT:scheduler_hints": {"type": "object"},
    },
    "required": ["server"],
    "additionalProperties": False,
}

_NULL_ACTION = {"type": ["null", "object"], "additionalProperties": False}

ACTIONS = {
    "os-start": _NULL_ACTION,
    "os-stop": _NULL_ACTION,
    "pause": _NULL_ACTION,
    "unpause": _NULL_ACTION,
    "suspend": _NULL_ACTION,
    "resume": _NULL_ACTION,
    "reboot": {
        "type": "object",
        "properties": {"type": {"enum": ["HARD", "Hard", "hard", "SOFT",
                                         "Soft", "soft"]}},
        "required": ["type"], "additionalProperties": False,
    },
    "os-getConsoleOutput": {
        "type": ["object", "null"],
        "properties": {"length": {
            "type": ["integer", "string", "null"],
            "pattern": "^-?[0-9]+$", "minimum": -1}},
        "additionalProperties": False,
    },
}

ACTIONS.update({
    # 2.17: Nova's body is exactly {"trigger_crash_dump": null}.
    "trigger_crash_dump": {"type": "null"},
    # Nova's: anything below 2.73 (ignored); LOCK_V273 from it.
    "lock": {},
    "unlock": _NULL_ACTION,
    "os-resetState": {
        "type": "object",
        "properties": {"state": {"enum": ["active", "error"]}},
        "required": ["state"], "additionalProperties": False,
    },
    # Nova's admin_password schema: one string, nothing else.
    "changePassword": {
        "type": "object",
        "properties": {"adminPass": {"type": "string"}},
        "required": ["adminPass"], "additionalProperties": False,
    },
})

#: the body of the ``lock`` action from 2.73: null, or an object with
#: an optional reason.
LOCK_V273 = {
    "type": "object",
    "properties": {"lock": {
        "type": ["object", "null"],
        "properties": {"locked_reason": {"type": "string", "minLength": 1,
                                         "maxLength": 255}},
        "additionalProperties": False}},
}

ACTIONS.update(schemas_network.ACTIONS)
ACTIONS.update(schemas_moves.ACTIONS)
# Checked per microversion by controllers.server_live.
ACTIONS["os-migrateLive"] = {"type": "object"}
ACTIONS.update(schemas_image_actions.ACTIONS)
ACTIONS["os-getVNCConsole"] = schemas_consoles.GET_VNC_CONSOLE

SERVER_UPDATE = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "accessIPv4": {"type": "string", "format": "ipv4"},
                "accessIPv6": {"type": "string", "format": "ipv6"},
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "description": DESCRIPTION,
            },
            "additionalProperties": False,
        },
    },
    "required": ["server"],
    "additionalProperties": False,
}


def for_version(schema, at_least):
    """``schema`` (SERVER_CREATE or SERVER_UPDATE) as the request's
    microversion has it: ``description`` only from 2.19, so below it the
    field is an unexpected property (400), as in Nova; a block device
    ``tag`` only at 2.32 and from 2.42 (Nova lost it at 2.33), its
    ``volume_type`` from 2.67; server ``tags`` at create only from 2.52;
    ``trusted_image_certificates`` at create only from 2.63; ``host``
    and ``hypervisor_hostname`` at create only from 2.74."""
    properties = schema["properties"]["server"]["properties"]
    if not at_least(19):
        properties = {k: v for k, v in properties.items()
                      if k != "description"}
    if "tags" in properties and not at_least(52):
        properties = {k: v for k, v in properties.items() if k != "tags"}
    if "host" in properties and not at_least(74):
        properties = {k: v for k, v in properties.items()
                      if k not in ("host", "hypervisor_hostname")}
    if "trusted_image_certificates" in properties and not at_least(63):
        properties = {k: v for k, v in properties.items()
                      if k != "trusted_image_certificates"}
    if "block_device_mapping_v2" in properties and (
            at_least(32) and not at_least(33) or at_least(42)):
        properties = dict(properties, block_device_mapping_v2=dict(
            schemas_volumes.BLOCK_DEVICE_MAPPING_V2,
            items=schemas_volumes.TYPED_BLOCK_DEVICE if at_least(67)
            else schemas_volumes.TAGGED_BLOCK_DEVICE))
    if properties is schema["properties"]["server"]["properties"]:
        return schema
    server = dict(schema["properties"]["server"], properties=properties)
    return dict(schema, properties=dict(schema["properties"],
                                        server=server))


#: Nova's ``parameter_types.tag`` and the body of PUT /servers/{id}/tags
#: (at most 50 tags).
TAG = schemas_volumes.TAG
TAGS = {
    "type": "object",
    "properties": {"tags": {"type": "array", "items": TAG,
                            "maxItems": 50}},
    "required": ["tags"],
    "additionalProperties": False,
}

METADATA = {
    "type": "object",
    "properties": {"metadata": _METADATA},
    "required": ["metadata"],
    "additionalProperties": False,
}

METADATA_ITEM = {
    "type": "object",
    "properties": {"meta": dict(_METADATA, minProperties=1,
                                maxProperties=1)},
    "required": ["meta"],
    "additionalProperties": False,
}

SERVER_ACTION = {
    "type": "object",
    "properties": ACTIONS,
    "minProperties": 1, "maxProperties": 1,
    "additionalProperties": False,
}

_DB_INT = 0x7FFFFFFF
#: Nova's flavor description (2.55): a server description's characters,
#: up to the 64 KiB of its TEXT column.
FLAVOR_DESCRIPTION = dict(DESCRIPTION, maxLength=65535)


def _count(minimum):
    return {"type": ["integer", "string"], "pattern": "^[0-9]{1,10}$",
            "minimum": minimum, "maximum": _DB_INT}


FLAVOR_CREATE = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "id": {"type": ["string", "null", "integer"],
                       "minLength": 1, "maxLength": 255,
                       "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
                "ram": _count(1),
                "vcpus": _count(1),
                "disk": _count(0),
                "OS-FLV-EXT-DATA:ephemeral": _count(0),
                "swap": {"type": ["integer", "string"],
                         "pattern": "^[0-9]{0,10}$", "minimum": 0,
                         "maximum": _DB_INT},
                "rxtx_factor": {"type": ["number", "string"],
                                "pattern": r"^[0-9]{1,10}(\.[0-9]{1,10})?$",
                                "exclusiveMinimum": 0, "maximum": 3.4e38},
                "os-flavor-access:is_public": BOOLEAN,
                # 2.55 (flavor_create)
                "description": FLAVOR_DESCRIPTION,
            },
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}

#: The body of ``PUT /flavors/{id}`` (2.55): the description only.
FLAVOR_UPDATE = {
    "type": "object",
    "properties": {"flavor": {
        "type": "object",
        "properties": {"description": FLAVOR_DESCRIPTION},
        "required": ["description"], "additionalProperties": False}},
    "required": ["flavor"], "additionalProperties": False,
}


def flavor_create(at_least):
    """FLAVOR_CREATE as the request's microversion has it:
    ``description`` only from 2.55 (an unexpected property below)."""
    if at_least(55):
        return FLAVOR_CREATE
    flavor = FLAVOR_CREATE["properties"]["flavor"]
    properties = {k: v for k, v in flavor["properties"].items()
                  if k != "description"}
    return dict(FLAVOR_CREATE, properties={
        "flavor": dict(flavor, properties=properties)})


# -- scheduler: server groups, aggregates ------------------------------------

_HARD_POLICIES = ["affinity", "anti-affinity"]
_SOFT_POLICIES = ["soft-affinity", "soft-anti-affinity"]


def server_group_create(soft, policy_and_rules):
    """The body of ``POST /os-server-groups``: ``policies`` (a list of
    one) to 2.63, with the soft policies from 2.15; ``policy`` and
    ``rules`` from 2.64."""
    policies = {"enum": _HARD_POLICIES + (_SOFT_POLICIES if soft else [])}
    if policy_and_rules:
        props = {"name": _NAME, "policy": policies, "rules": {
            "type": "object",
            # Nova's positive integer: a string is read as its number,
            # so "0" is as much a 400 as 0.
            "properties": {"max_server_per_host": {
                "type": ["integer", "string"], "pattern": "^0*[1-9][0-9]*$",
                "minimum": 1}},
            "additionalProperties": False}}
        required = ["name", "policy"]
    else:
        props = {"name": _NAME, "policies": {
            "type": "array", "items": policies, "minItems": 1,
            "maxItems": 1}}
        required = ["name", "policies"]
    return {
        "type": "object",
        "properties": {"server_group": {
            "type": "object", "properties": props, "required": required,
            "additionalProperties": False}},
        "required": ["server_group"],
        "additionalProperties": False,
    }

_AZ = {"type": ["string", "null"], "minLength": 1, "maxLength": 255,
       "pattern": r"^[^:]*$"}

AGGREGATE_CREATE = {
    "type": "object",
    "properties": {"aggregate": {
        "type": "object",
        "properties": {"name": _NAME, "availability_zone": _AZ},
        "required": ["name"], "additionalProperties": False}},
    "required": ["aggregate"], "additionalProperties": False,
}

AGGREGATE_UPDATE = {
    "type": "object",
    "properties": {"aggregate": {
        "type": "object",
        "properties": {"name": _NAME, "availability_zone": _AZ},
        "minProperties": 1, "additionalProperties": False}},
    "required": ["aggregate"], "additionalProperties": False,
}

_HOST = {"type": "object",
         "properties": {"host": {"type": "string", "minLength": 1,
                                 "maxLength": 255}},
         "required": ["host"], "additionalProperties": False}

#: POST /os-aggregates/{id}/images (2.81): the images to pre-cache.
AGGREGATE_IMAGES = {
    "type": "object",
    "properties": {"cache": {
        "type": "array", "minItems": 1,
        "items": {"type": "object",
                  "properties": {"id": {
                      "type": "string",
                      "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?"
                                 "[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                                 "[0-9a-fA-F]{12}$"}},
                  "required": ["id"], "additionalProperties": False}}},
    "required": ["cache"],
    "additionalProperties": False,
}

AGGREGATE_ACTION = {
    "type": "object",
    "properties": {
        "add_host": _HOST,
        "remove_host": _HOST,
        "set_metadata": {
            "type": "object",
            "properties": {"metadata": {
                "type": "object",
                "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {
                    "type": ["string", "null"], "maxLength": 255}},
                "additionalProperties": False}},
            "required": ["metadata"], "additionalProperties": False},
    },
    "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
}
