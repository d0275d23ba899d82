"""JSON schemas of request bodies (compute API 2.1)."""

_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^(?!\s)(?!.*\s$).*$"}
_REF = {"type": "string", "minLength": 1, "maxLength": 255}
# Capped so a request cannot make the API build millions of rows before
# the quota check refuses them.
_COUNT = {"type": ["integer", "string"], "pattern": "^[0-9]{1,4}$",
          "minimum": 1, "maximum": 1000}
_METADATA = {"type": "object", "maxProperties": 128,
             "patternProperties": {"^.{1,255}$": {"type": "string",
                                                  "maxLength": 255}},
             "additionalProperties": False}

SERVER_CREATE = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "imageRef": _REF,
                "flavorRef": _REF,
                "min_count": _COUNT,
                "max_count": _COUNT,
                "metadata": _METADATA,
                "key_name": {"type": ["string", "null"], "maxLength": 255},
                "user_data": {"type": ["string", "null"],
                              "maxLength": 65535},
                "availability_zone": {"type": ["string", "null"],
                                      "maxLength": 255},
                "networks": {"type": ["array", "string"]},
                "security_groups": {"type": "array"},
                "block_device_mapping_v2": {"type": "array"},
                "config_drive": {"type": ["boolean", "string", "null"]},
                "accessIPv4": {"type": "string"},
                "accessIPv6": {"type": "string"},
                "adminPass": {"type": "string"},
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "return_reservation_id": {"type": ["boolean", "string"]},
            },
            "required": ["name", "imageRef", "flavorRef"],
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
    "lock": _NULL_ACTION,
    "unlock": _NULL_ACTION,
    "os-resetState": {
        "type": "object",
        "properties": {"state": {"enum": ["active", "error"]}},
        "required": ["state"], "additionalProperties": False,
    },
})

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
            },
            "additionalProperties": False,
        },
    },
    "required": ["server"],
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
                "os-flavor-access:is_public": {"type": "boolean"},
            },
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}


# -- scheduler: server groups, aggregates ------------------------------------

_GROUP_POLICY = {"enum": ["affinity", "anti-affinity", "soft-affinity",
                          "soft-anti-affinity"]}

SERVER_GROUP_CREATE = {
    "type": "object",
    "properties": {
        "server_group": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "policies": {"type": "array", "items": _GROUP_POLICY,
                             "minItems": 1, "maxItems": 1},
                "policy": _GROUP_POLICY,
                "rules": {
                    "type": "object",
                    "properties": {"max_server_per_host": {
                        "type": ["integer", "string"],
                        "pattern": "^[0-9]+$", "minimum": 1}},
                    "additionalProperties": False,
                },
            },
            "required": ["name"],
            "oneOf": [{"required": ["policies"]}, {"required": ["policy"]}],
            "additionalProperties": False,
        },
    },
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
