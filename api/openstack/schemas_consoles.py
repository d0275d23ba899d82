"""Request bodies of remote consoles (Nova's, per microversion)."""

_PROTOCOLS = ["vnc", "spice", "rdp", "serial"]
_TYPES = ["novnc", "xvpvnc", "rdp-html5", "spice-html5", "serial"]

#: the os-getVNCConsole action's argument (2.1-2.5).
GET_VNC_CONSOLE = {
    "type": "object",
    "properties": {"type": {"type": "string", "enum": ["novnc", "xvpvnc"]}},
    "required": ["type"],
    "additionalProperties": False,
}


def remote_console(mks=False):
    """POST /servers/{id}/remote-consoles: 2.6, with MKS from 2.8."""
    return {
        "type": "object",
        "properties": {"remote_console": {
            "type": "object",
            "properties": {
                "protocol": {"type": "string", "enum": _PROTOCOLS +
                             (["mks"] if mks else [])},
                "type": {"type": "string", "enum": _TYPES +
                         (["webmks"] if mks else [])},
            },
            "required": ["protocol", "type"],
            "additionalProperties": False,
        }},
        "required": ["remote_console"],
        "additionalProperties": False,
    }
