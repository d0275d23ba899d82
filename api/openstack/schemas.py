"""JSON schemas of request bodies (compute API 2.1)."""

_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^(?!\s)(?!.*\s$).*$"}
_REF = {"type": "string", "minLength": 1, "maxLength": 255}
_COUNT = {"type": ["integer", "string"], "pattern": "^[0-9]+$",
          "minimum": 1}
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

SERVER_ACTION = {
    "type": "object",
    "properties": ACTIONS,
    "minProperties": 1, "maxProperties": 1,
    "additionalProperties": False,
}

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
                "ram": {"type": ["integer", "string"], "pattern": "^[0-9]+$",
                        "minimum": 1},
                "vcpus": {"type": ["integer", "string"],
                          "pattern": "^[0-9]+$", "minimum": 1},
                "disk": {"type": ["integer", "string"],
                         "pattern": "^[0-9]+$", "minimum": 0},
                "OS-FLV-EXT-DATA:ephemeral": {
                    "type": ["integer", "string"], "pattern": "^[0-9]+$",
                    "minimum": 0},
                "swap": {"type": ["integer", "string"],
                         "pattern": "^[0-9]*$", "minimum": 0},
                "rxtx_factor": {"type": ["number", "string"]},
                "os-flavor-access:is_public": {"type": "boolean"},
            },
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}
