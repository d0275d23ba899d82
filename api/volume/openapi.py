"""The OpenAPI document of the volume dialect (``GET
/volume/v3/openapi.json``), from the schemas its controllers enforce."""

from nimbus.api import openapi
from nimbus.api.volume import microversion, quotas, schemas

_FAULT = ("application/json", {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "additionalProperties": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "integer"},
                       "message": {"type": "string"}}}})
_VERSION = ("OpenStack-API-Version",)
_PAGE = ("sort", "sort_key", "sort_dir", "limit", "marker", "all_tenants")
_VOLUME_LIST = ("name", "display_name", "status", "availability_zone",
                "bootable", "project_id", "metadata") + _PAGE
_SNAPSHOT_LIST = ("name", "display_name", "status", "volume_id") + _PAGE
V = "/volumes/{volume_id}"
S = "/snapshots/{snapshot_id}"
T = "/types/{type_id}"
Q = "/os-quota-sets/{project_id}"


def _op(status=200, schema=None, query=()):
    return openapi.Op(status, schema, query=query, headers=_VERSION)


def _metadata(base):
    return {base + "/metadata": {"get": _op(),
                                 "post": _op(200, schemas.METADATA),
                                 "put": _op(200, schemas.METADATA)},
            base + "/metadata/{key}": {"get": _op(),
                                       "put": _op(200, schemas.META_ITEM),
                                       "delete": _op()}}


ROUTES = {
    "/volumes": {"get": _op(query=_VOLUME_LIST),
                 "post": _op(202, schemas.VOLUME_CREATE)},
    "/volumes/detail": {"get": _op(query=_VOLUME_LIST)},
    V: {"get": _op(), "put": _op(200, schemas.VOLUME_UPDATE),
        "delete": _op(202)},
    V + "/action": {"post": _op(202, schemas.VOLUME_ACTION)},
    **_metadata(V),
    "/snapshots": {"get": _op(query=_SNAPSHOT_LIST),
                   "post": _op(202, schemas.SNAPSHOT_CREATE)},
    "/snapshots/detail": {"get": _op(query=_SNAPSHOT_LIST)},
    S: {"get": _op(), "put": _op(200, schemas.SNAPSHOT_UPDATE),
        "delete": _op(202)},
    **_metadata(S),
    "/types": {"get": _op(query=("is_public",)),
               "post": _op(200, schemas.TYPE_CREATE)},
    T: {"get": _op(), "put": _op(200, schemas.TYPE_UPDATE),
        "delete": _op(202)},
    T + "/extra_specs": {"get": _op(),
                         "post": _op(200, schemas.EXTRA_SPECS)},
    T + "/extra_specs/{key}": {"get": _op(),
                               "put": _op(200, schemas.EXTRA_SPEC),
                               "delete": _op()},
    T + "/action": {"post": _op(202, schemas.TYPE_ACTION)},
    T + "/os-volume-type-access": {"get": _op()},
    Q: {"get": _op(query=("usage",)),
        "put": _op(200, quotas.QUOTA_UPDATE), "delete": _op()},
    Q + "/defaults": {"get": _op()},
}


def document(base_url):
    return openapi.document("nimbus Block Storage API (Cinder v3 subset)",
                            microversion.text(microversion.MAX_VERSION),
                            base_url + "/volume/v3", ROUTES, _FAULT)
