"""JSON schemas of key pairs, quota sets, flavor extras and services,
per microversion."""

from nimbus.api.openstack import common

#: key pair names: letters, digits, space, ``_`` and ``-``; from 2.92
#: also ``@`` and ``.`` (Nova's).
KEY_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
            "pattern": r"^[a-zA-Z0-9 _-]+$"}
KEY_NAME_V292 = dict(KEY_NAME, pattern=r"^[a-zA-Z0-9 _.@-]+$")


def keypair_create():
    """From 2.92 only an import (``public_key`` required): nimbus no
    longer makes the private key."""
    props = {"name": KEY_NAME_V292 if common.at_least(92) else KEY_NAME,
             "public_key": {"type": "string", "minLength": 1,
                            "maxLength": 65535}}
    if common.at_least(2):
        props["type"] = {"enum": ["ssh", "x509"]}
    if common.at_least(10):
        props["user_id"] = {"type": "string", "minLength": 1,
                            "maxLength": 255}
    return {"type": "object",
            "properties": {"keypair": {
                "type": "object", "properties": props,
                "required": ["name", "public_key"] if common.at_least(92)
                else ["name"], "additionalProperties": False}},
            "required": ["keypair"], "additionalProperties": False}


_LIMIT = {"type": ["integer", "string"], "pattern": "^-?[0-9]{1,10}$",
          "minimum": -1, "maximum": 0x7FFFFFFF}
QUOTA_KEYS = ("instances", "cores", "ram", "key_pairs", "metadata_items",
              "server_groups", "server_group_members", "fixed_ips",
              "floating_ips", "security_groups", "security_group_rules",
              "injected_files", "injected_file_content_bytes",
              "injected_file_path_bytes")

#: the file injection quotas, gone from quota sets, quota class sets and
#: limits at 2.57 (with ``personality``).
FILE_QUOTA_KEYS = ("injected_files", "injected_file_content_bytes",
                   "injected_file_path_bytes")


def quota_update(keys):
    """The body of ``PUT /os-quota-sets/{id}`` for ``keys``."""
    return {
        "type": "object",
        "properties": {"quota_set": {
            "type": "object",
            "properties": dict({k: _LIMIT for k in keys},
                               force={"type": ["boolean", "string"],
                                      "enum": [True, False, "True",
                                               "False", "true", "false"]}),
            "additionalProperties": False}},
        "required": ["quota_set"], "additionalProperties": False,
    }


QUOTA_UPDATE = quota_update(QUOTA_KEYS)

#: quota class keys by microversion (Nova's): the proxies' keys go at
#: 2.50, which adds the server group ones; file injection goes at 2.57.
QUOTA_CLASS_KEYS_2_1 = ("instances", "cores", "ram", "key_pairs",
                        "metadata_items", "fixed_ips", "floating_ips",
                        "security_groups", "security_group_rules",
                        "injected_files", "injected_file_content_bytes",
                        "injected_file_path_bytes")
QUOTA_CLASS_KEYS_2_50 = ("instances", "cores", "ram", "key_pairs",
                         "metadata_items", "server_groups",
                         "server_group_members", "injected_files",
                         "injected_file_content_bytes",
                         "injected_file_path_bytes")
QUOTA_CLASS_KEYS_2_57 = tuple(k for k in QUOTA_CLASS_KEYS_2_50
                              if k not in FILE_QUOTA_KEYS)
#: what PUT takes below 2.50: Nova validates against every quota set
#: key, though its answer leaves the server group keys out until 2.50.
QUOTA_CLASS_UPDATE_KEYS_2_1 = QUOTA_CLASS_KEYS_2_1 + (
    "server_groups", "server_group_members", "networks")


def quota_class_update(keys):
    """The body of ``PUT /os-quota-class-sets/{id}`` for ``keys``."""
    return {
        "type": "object",
        "properties": {"quota_class_set": {
            "type": "object",
            "properties": {k: _LIMIT for k in keys},
            "additionalProperties": False}},
        "required": ["quota_class_set"], "additionalProperties": False,
    }


_SPEC_KEY = {"type": "string", "minLength": 1, "maxLength": 255,
             "pattern": r"^[a-zA-Z0-9_:. -]+$"}
_SPEC_VALUE = {"type": ["string", "integer", "number", "boolean"],
               "maxLength": 255}

EXTRA_SPECS = {
    "type": "object",
    "properties": {"extra_specs": {
        "type": "object", "minProperties": 1,
        "patternProperties": {r"^[a-zA-Z0-9_:. -]{1,255}$": _SPEC_VALUE},
        "additionalProperties": False}},
    "required": ["extra_specs"], "additionalProperties": False,
}

EXTRA_SPEC_ITEM = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "patternProperties": {r"^[a-zA-Z0-9_:. -]{1,255}$": _SPEC_VALUE},
    "additionalProperties": False,
}

_TENANT = {"type": "object",
           "properties": {"tenant": {"type": "string", "minLength": 1,
                                     "maxLength": 255}},
           "required": ["tenant"], "additionalProperties": False}

FLAVOR_ACTION = {
    "type": "object",
    "properties": {"addTenantAccess": _TENANT,
                   "removeTenantAccess": _TENANT},
    "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
}

_HOST_BINARY = {"host": {"type": "string", "minLength": 1,
                         "maxLength": 255},
                "binary": {"type": "string", "minLength": 1,
                           "maxLength": 255}}


def service_update(action):
    props = dict(_HOST_BINARY)
    if action == "disable-log-reason":
        props["disabled_reason"] = {"type": "string", "minLength": 1,
                                    "maxLength": 255}
    if action == "force-down":
        props["forced_down"] = {"type": "boolean"}
    required = list(props)
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}
