"""Request schemas of the cold-move server actions (resize,
confirmResize, revertResize, migrate)."""

_NULL = {"type": ["null", "object"], "additionalProperties": False}
_HOST = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": "^[a-zA-Z0-9._-]+$"}

ACTIONS = {
    "resize": {
        "type": "object",
        "properties": {
            "flavorRef": {"type": ["string", "integer"], "minLength": 1,
                          "maxLength": 255, "pattern": "^[^/]*(/[^/]+)*$"},
            "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
        },
        "required": ["flavorRef"], "additionalProperties": False,
    },
    "confirmResize": _NULL,
    "revertResize": _NULL,
    # ``host`` from 2.56 (the controller refuses it below).
    "migrate": {
        "type": ["object", "null"],
        "properties": {"host": {"oneOf": [_HOST, {"type": "null"}]}},
        "additionalProperties": False,
    },
}
