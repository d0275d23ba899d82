"""Version documents: ``GET /`` (every version) and ``GET /v2.1``."""

from nimbus.api.openstack.responses import types as t

_LINK = t.obj({"href": t.STRING, "rel": t.STRING, "type": t.STRING},
              required=("rel", "href"))
_VERSION = t.obj({
    "id": t.STRING,
    "status": {"type": "string",
               "enum": ["CURRENT", "SUPPORTED", "DEPRECATED"]},
    "links": t.array(_LINK),
    "min_version": t.STRING,
    "version": t.STRING,
    "updated": t.DATE_TIME,
}, required=("id", "status", "links", "min_version", "version", "updated"))
_VERSION_WITH_MEDIA = t.evolve(_VERSION, add={
    "media-types": t.array(t.obj({"base": t.STRING, "type": t.STRING},
                                 required=("base", "type")))},
    require=("media-types",))

INDEX = t.obj({"versions": t.array(_VERSION)}, required=("versions",))
SHOW = t.obj({"version": _VERSION_WITH_MEDIA}, required=("version",))

#: (method, route) -> [(first minor, last minor or None, schema)]
SCHEMAS = {
    ("GET", "/"): [(1, None, INDEX)],
    ("GET", "/v2.1"): [(1, None, SHOW)],
}
