"""CreateKeyPair, ImportKeyPair, DeleteKeyPair, DescribeKeyPairs: the
caller's own key pairs (the same ones ``openstack keypair`` shows)."""

import base64
import binascii
import re

from nimbus.api.ec2 import params as ec2_params
from nimbus.core import exception

K = "os_compute_api:os-keypairs:%s"
_NAME = re.compile(r"^[\w .@\-]{1,255}$")


def _authorize(call, rule):
    call.authorize(K % rule, {"user_id": call.context.user_id,
                              "project_id": call.context.project_id})


def _name(call):
    name = call.params.require("KeyName")
    if not _NAME.match(name):
        raise ec2_params.bad(f"Invalid key pair name '{name}'.")
    return name


def _item(call, row):
    return {"keyPairId": f"key-{row['id']:08x}" if row.get("id") else None,
            "keyName": row["name"], "keyFingerprint": row["fingerprint"],
            "keyType": "rsa" if "ssh-rsa" in row["public_key"] else
            "ed25519", "tagSet": []}


def _create(call, name, public_key):
    try:
        return call.services.keypairs.create(
            call.context, call.context.user_id, name, public_key)
    except exception.Conflict:
        raise exception.Ec2Error("InvalidKeyPair.Duplicate",
                                 f"The keypair '{name}' already exists.")
    except exception.OverQuota as err:
        raise exception.Ec2Error("ResourceLimitExceeded", str(err))
    except exception.Invalid as err:
        raise exception.Ec2Error("InvalidKeyPair.Format", str(err))


def create_key_pair(call):
    name = _name(call)
    _authorize(call, "create")
    row = _create(call, name, None)
    item = _item(call, row)
    item.pop("tagSet")
    item["keyMaterial"] = row["private_key"]
    return item


def import_key_pair(call):
    name = _name(call)
    material = call.params.require("PublicKeyMaterial")
    _authorize(call, "create")
    try:
        public_key = base64.b64decode(material, validate=True).decode()
    except (binascii.Error, ValueError):
        raise exception.Ec2Error("InvalidKeyPair.Format",
                                 "Key is not in valid OpenSSH public key "
                                 "format")
    if not re.match(r"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+) "
                    r"[A-Za-z0-9+/=]+( .*)?$", public_key.strip()):
        raise exception.Ec2Error("InvalidKeyPair.Format",
                                 "Key is not in valid OpenSSH public key "
                                 "format")
    row = _create(call, name, public_key.strip())
    item = _item(call, row)
    item.pop("tagSet")
    return item


def delete_key_pair(call):
    name = call.params.require("KeyName")
    _authorize(call, "delete")
    try:
        call.services.keypairs.delete(call.context, call.context.user_id,
                                      name)
    except exception.NotFound:
        pass  # AWS deletes idempotently
    return {"return": True}


def describe_key_pairs(call):
    _authorize(call, "index")
    filters = ec2_params.filters(call.params, ("key-name", "fingerprint"))
    wanted = call.params.strings("KeyName")
    rows = call.services.keypairs.list(call.context, call.context.user_id)
    names = {r["name"] for r in rows}
    for name in wanted:
        if name not in names:
            raise exception.Ec2Error("InvalidKeyPair.NotFound",
                                     f"The key pair '{name}' does not exist")
    items = []
    for row in rows:
        if wanted and row["name"] not in wanted:
            continue
        values = {"key-name": row["name"], "fingerprint": row["fingerprint"]}
        if all(ec2_params.matches(v, values[k]) for k, v in filters.items()):
            items.append(_item(call, row))
    return {"keySet": items}


ACTIONS = {
    "CreateKeyPair": create_key_pair,
    "ImportKeyPair": import_key_pair,
    "DeleteKeyPair": delete_key_pair,
    "DescribeKeyPairs": describe_key_pairs,
}
