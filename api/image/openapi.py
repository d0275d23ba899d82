"""The OpenAPI document of the image dialect (``GET
/image/v2/openapi.json``), from the schemas its controllers enforce."""

from nimbus.api import openapi
from nimbus.api.image import controllers, patch, sharing
from nimbus.api.openapi import Op

_FAULT = ("text/plain", {"type": "string"})
_PATCH = {"type": "array", "items": {
    "type": "object", "required": ["op", "path"],
    "properties": {"op": {"enum": ["add", "remove", "replace"]},
                   "path": {"type": "string"}, "value": {}}}}
_DATA = {"type": "string", "format": "binary"}
I = "/images/{image_id}"  # noqa: E741
M = I + "/members"

ROUTES = {
    "/images": {"get": Op(query=("name", "status", "visibility",
                                 "member_status", "tag", "os_hidden",
                                 "id", "marker", "limit")),
                "post": Op(201, controllers.IMAGE_CREATE)},
    I: {"get": Op(), "delete": Op(204),
        "patch": Op(200, _PATCH, patch.MEDIA_TYPE)},
    I + "/file": {"get": Op(),
                  "put": Op(204, _DATA, "application/octet-stream")},
    I + "/tags/{tag}": {"put": Op(204), "delete": Op(204)},
    M: {"get": Op(), "post": Op(200, sharing.MEMBER_CREATE)},
    M + "/{member_id}": {"get": Op(),
                         "put": Op(200, sharing.MEMBER_UPDATE),
                         "delete": Op(204)},
    I + "/import": {"post": Op(202, sharing.IMPORT)},
    "/info/import": {"get": Op()},
    "/info/stores": {"get": Op()},
}


def document(base_url):
    return openapi.document("nimbus Image API (Glance v2 subset)", "2.16",
                            base_url + "/image/v2", ROUTES, _FAULT)
