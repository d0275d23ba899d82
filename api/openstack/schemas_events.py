"""JSON schema of ``POST /os-server-external-events`` (Nova's)."""

#: event names -> the first minor microversion that accepts them.
EVENT_NAMES = {"network-changed": 1, "network-vif-plugged": 1,
               "network-vif-unplugged": 1, "network-vif-deleted": 1,
               "volume-extended": 51, "power-update": 76,
               "accelerator-request-bound": 82, "volume-reimaged": 93}
# What oslo's is_uuid_like accepts from clients: with or without dashes.
_UUID = (r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
         r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def external_events(minor):
    """The body at microversion 2.``minor``: the event names it
    accepts; ``status`` defaults to "completed" (the controller)."""
    names = sorted(n for n, first in EVENT_NAMES.items() if minor >= first)
    event = {
        "type": "object",
        "properties": {
            "server_uuid": {"type": "string", "pattern": _UUID},
            "name": {"type": "string", "enum": names},
            "status": {"type": "string",
                       "enum": ["failed", "completed", "in-progress"]},
            "tag": {"type": "string", "maxLength": 255},
        },
        "required": ["server_uuid", "name"],
        "additionalProperties": False,
    }
    return {"type": "object",
            "properties": {"events": {"type": "array", "minItems": 1,
                                      "items": event}},
            "required": ["events"], "additionalProperties": False}
