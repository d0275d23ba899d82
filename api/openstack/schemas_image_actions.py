"""Request bodies of the image and recovery actions: rebuild,
createImage, shelve, shelveOffload, unshelve, rescue, unrescue,
evacuate. ``ACTIONS`` holds each action's loosest shape (what some
microversion accepts); :func:`check` then applies the request's
microversion, as Nova's versioned schemas do."""

from nimbus.api import http

_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^(?!\s)(?!.*\s$)[^\x00-\x1f\x7f]*$"}
# Nova's ``parameter_types.metadata`` keys (schemas.METADATA_KEY)
_METADATA = {"type": "object", "maxProperties": 128,
             "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {
                 "type": "string", "maxLength": 255}},
             "additionalProperties": False}
_REF = {"type": "string", "minLength": 1, "maxLength": 255}
_PASSWORD = {"type": "string"}
_BOOL = {"type": ["boolean", "string"],
         "enum": [True, False, "true", "false", "True", "False", "1", "0",
                  "yes", "no"]}
_NULL = {"type": ["null", "object"], "additionalProperties": False}
#: ``user_data`` at create and (2.57) rebuild: base64 as clients send it
#: (MIME line breaks between 4-character groups allowed), at most 64 KiB.
USER_DATA = {"type": ["string", "null"], "maxLength": 65535,
             "pattern": (r"^(?:[A-Za-z0-9+/]{4}|\r?\n)*"
                         r"(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\s*$")}
#: 2.63 (create and rebuild): key manager ids of trusted certificates,
#: Nova's ``parameter_types.trusted_certs``; null resets a rebuilt
#: server's to the deployment's defaults.
TRUSTED_CERTS = {"type": ["array", "null"], "minItems": 1, "maxItems": 50,
                 "uniqueItems": True,
                 "items": {"type": "string", "minLength": 1}}
_HOST = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^[a-zA-Z0-9._-]+$"}

_REBUILD = {
    "imageRef": _REF, "name": _NAME, "adminPass": _PASSWORD,
    "metadata": _METADATA, "preserve_ephemeral": _BOOL,
    "accessIPv4": {"type": "string"}, "accessIPv6": {"type": "string"},
    "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
    "personality": {"type": "array", "items": {"type": "object"}},
    "description": {"type": ["string", "null"], "minLength": 0,
                    "maxLength": 255,
                    "pattern": r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"},
    # 2.54: a key pair of the caller's, or null to drop the server's.
    "key_name": {"oneOf": [{"type": "string", "minLength": 1,
                            "maxLength": 255}, {"type": "null"}]},
    # 2.57: base64 as at create, or null to drop it.
    "user_data": USER_DATA,
    "trusted_image_certificates": TRUSTED_CERTS,
    # 2.90 (a DNS label; an FQDN from 2.94): see schemas_hostname.
    "hostname": {"type": "string"},
}

ACTIONS = {
    "rebuild": {"type": "object", "properties": _REBUILD,
                "required": ["imageRef"], "additionalProperties": False},
    "createImage": {
        "type": "object",
        "properties": {"name": _NAME, "metadata": _METADATA},
        "required": ["name"], "additionalProperties": False,
    },
    "shelve": _NULL,
    "shelveOffload": _NULL,
    # Nova's: anything below 2.77 (ignored); see UNSHELVE.
    "unshelve": {},
    "rescue": {
        "type": ["null", "object"],
        "properties": {"adminPass": _PASSWORD, "rescue_image_ref": _REF},
        "additionalProperties": False,
    },
    "unrescue": _NULL,
    "evacuate": {
        "type": "object",
        "properties": {"host": _HOST, "adminPass": _PASSWORD,
                       "onSharedStorage": _BOOL, "force": _BOOL},
        "additionalProperties": False,
    },
}

# action -> [(argument, first minor it is accepted at, first minor it is
# refused at)]: what each microversion adds or removes.
_VERSIONED = {
    "rebuild": [("personality", 1, 57), ("description", 19, None),
                ("key_name", 54, None), ("user_data", 57, None),
                ("trusted_image_certificates", 63, None)],
    "evacuate": [("onSharedStorage", 1, 14), ("force", 29, 68)],
}


#: the ``unshelve`` body from 2.77 (null, or a zone: Nova's name), and
#: from 2.91 (a zone or null to unpin, a host; any of them or none: an
#: unknown zone or host is the service's 400, an empty host is ignored,
#: as Nova's schema and API do).
UNSHELVE = {
    77: {"type": ["null", "object"],
         "properties": {"availability_zone": _NAME},
         "required": ["availability_zone"], "additionalProperties": False},
    91: {"type": ["null", "object"],
         "properties": {"availability_zone": {"type": ["string", "null"]},
                        "host": {"type": "string"}},
         "additionalProperties": False},
}


def check(name, args, minor):
    """Refuse (400) the arguments of action ``name`` the request's
    microversion 2.``minor`` does not have; require onSharedStorage of
    evacuate below 2.14 (Nova's rule)."""
    if name == "unshelve" and minor >= 77:
        http.validate({"unshelve": args}, {
            "type": "object",
            "properties": {"unshelve": UNSHELVE[91 if minor >= 91 else 77]}})
    args = args or {}
    for key, since, until in _VERSIONED.get(name, ()):
        if key in args and (minor < since or (until and minor >= until)):
            http.validate({key: args[key]}, {
                "type": "object", "additionalProperties": False,
                "properties": {}, "description": f"{name} at 2.{minor}"})
    if name == "evacuate" and minor < 14:
        http.validate(args, {"type": "object",
                             "required": ["onSharedStorage"]})


def truthy(value):
    return value in (True, "true", "True", "1", "yes")
