"""Key pair bodies: list, show and create.

``type`` from 2.2; 2.10 lets admins name another user (the bodies do
not change); ``keypairs_links`` from 2.35; 2.92 stops generating keys
(no ``private_key``).
"""

from nimbus.api.openstack.responses import types as t

_NAME = {"type": "string", "minLength": 1, "maxLength": 255}

_CREATED = t.obj({"name": _NAME, "fingerprint": t.STRING,
                  "public_key": t.STRING, "user_id": t.STRING,
                  # only when nimbus generated the key
                  "private_key": t.STRING},
                 required=("name", "fingerprint", "public_key", "user_id"))
_SHOWN = t.obj({"name": _NAME, "fingerprint": t.STRING,
                "public_key": t.STRING, "user_id": t.STRING,
                "id": t.INTEGER, "created_at": t.DATE_TIME,
                # never set: there is no update nor soft delete to show
                "deleted": {"const": False}, "deleted_at": {"type": "null"},
                "updated_at": {"type": "null"}},
               required=("name", "fingerprint", "public_key", "user_id",
                         "id", "created_at", "deleted", "deleted_at",
                         "updated_at"))
_LISTED = t.obj({"name": _NAME, "fingerprint": t.STRING,
                 "public_key": t.STRING},
                required=("name", "fingerprint", "public_key"))


def _typed(body):
    return t.evolve(body, add={"type": {"enum": ["ssh", "x509"]}},
                    require=["type"])


def _wrapped(body):
    return t.obj({"keypair": body}, required=("keypair",))


def _index(item, paged=False):
    properties = {"keypairs": t.array(t.obj({"keypair": item},
                                            required=("keypair",)))}
    if paged:
        properties["keypairs_links"] = t.COLLECTION_LINKS
    return t.obj(properties, required=("keypairs",))


SCHEMAS = {
    ("GET", "/os-keypairs"): [(1, 1, _index(_LISTED)),
                              (2, 34, _index(_typed(_LISTED))),
                              (35, None, _index(_typed(_LISTED), True))],
    ("GET", "/os-keypairs/{name}"): [
        (1, 1, _wrapped(_SHOWN)), (2, None, _wrapped(_typed(_SHOWN)))],
    ("POST", "/os-keypairs"): [(1, 1, _wrapped(_CREATED)),
                               (2, 91, _wrapped(_typed(_CREATED))),
                               (92, None, _wrapped(_typed(t.evolve(
                                   _CREATED, drop=["private_key"]))))],
}
