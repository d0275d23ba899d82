"""/image/v2/images."""

import pecan

from nimbus.api import http
from nimbus.api.image import patch, sharing, views
from nimbus.core import exception

I = "image:%s"  # noqa: E741
_CORE = ("name", "id", "disk_format", "container_format", "visibility",
         "min_disk", "min_ram", "protected", "tags")

IMAGE_CREATE = {
    "type": "object",
    "properties": {
        "name": {"type": ["string", "null"], "maxLength": 255},
        "id": {"type": "string", "pattern":
               "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
               "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
        "disk_format": {"enum": ["ami", "ari", "aki", "vhd", "vhdx",
                                 "vmdk", "raw", "qcow2", "vdi", "iso",
                                 "ploop", None]},
        "container_format": {"enum": ["ami", "ari", "aki", "bare", "ovf",
                                      "ova", "docker", "compressed",
                                      None]},
        "visibility": {"enum": ["public", "private", "shared",
                                "community"]},
        "min_disk": {"type": "integer", "minimum": 0},
        "min_ram": {"type": "integer", "minimum": 0},
        "protected": {"type": "boolean"},
        "os_hidden": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string",
                                            "maxLength": 255}},
    },
    "additionalProperties": {"type": ["string", "null"],
                             "maxLength": 65535},
}


def _store():
    return http.services().images


def _owner_target(image):
    return {"project_id": image.get("owner") or ""}


def _filters():
    get = pecan.request.GET
    filters = {}
    if get.get("name"):
        filters["name"] = get["name"]
    if get.get("status"):
        filters["status"] = get["status"]
    if get.get("visibility"):
        filters["visibility"] = get["visibility"]
    if get.get("member_status"):
        filters["member_status"] = get["member_status"]
    if get.getall("tag"):
        filters["tag"] = get.getall("tag")
    hidden = get.get("os_hidden", "false").lower()
    if hidden not in ("true", "false"):
        raise exception.Invalid(reason="os_hidden must be true or false")
    filters["os_hidden"] = hidden == "true"
    ident = get.get("id")
    if ident:
        filters["ids"] = ident[3:].split(",") if ident.startswith("in:") \
            else [ident]
    return filters


def _page(images):
    get = pecan.request.GET
    marker = get.get("marker")
    if marker:
        ids = [i["id"] for i in images]
        if marker not in ids:
            raise exception.Invalid(reason=f"marker {marker} not found")
        images = images[ids.index(marker) + 1:]
    limit = get.get("limit")
    if limit is not None:
        if not (limit.isascii() and limit.isdigit()):
            raise exception.Invalid(reason="limit must be an integer")
        images = images[:int(limit)]
    return images


class ImageController:
    """/image/v2/images/{id} and its /file."""

    def __init__(self, image_id):
        self.image_id = image_id

    def _image(self):
        return _store().get(http.context(), self.image_id)

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "DELETE", "PATCH")
        http.authorize(I % "get_image")
        return http.reply(views.image(self._image()))

    @index.when(method="PATCH", template="json")
    def update(self):
        kind = (pecan.request.environ.get("CONTENT_TYPE") or "").split(
            ";")[0].strip()
        if kind != patch.MEDIA_TYPE:
            raise exception.BadMediaType(kind=kind or "(none)")
        ops = http.read_json(pecan.request)
        image = self._image()
        http.authorize(I % "modify_image", _owner_target(image))
        changes = patch.changes(image, ops)
        visibility = changes.get("visibility")
        if visibility == "public":
            http.authorize(I % "publicize_image")
        elif visibility == "community":
            http.authorize(I % "communitize_image", _owner_target(image))
        if changes:
            image = _store().update(http.context(), self.image_id, changes)
        return http.reply(views.image(image))

    @index.when(method="DELETE", template="json")
    def delete(self):
        image = self._image()
        http.authorize(I % "delete_image", _owner_target(image))
        if image.get("protected"):
            raise exception.ImageForbidden(
                reason=f"Image {self.image_id} is protected and cannot "
                       "be deleted.")
        _store().delete(http.context(), self.image_id)
        return http.reply(None, 204)

    @pecan.expose(generic=True)
    def file(self):
        http.allow("GET", "PUT")
        http.authorize(I % "download_image")
        image = self._image()
        if image["status"] != "active":
            return http.reply(None, 204)
        response = pecan.response
        response.content_type = "application/octet-stream"
        response.app_iter = _store().download(http.context(),
                                              self.image_id)
        if image.get("size") is not None:
            response.content_length = image["size"]
        if image.get("checksum"):
            response.headers["Content-MD5"] = image["checksum"]
        return response

    @file.when(method="PUT")
    def upload(self):
        image = self._image()
        http.authorize(I % "upload_image", _owner_target(image))
        if image["status"] != "queued":
            raise exception.Conflict(
                reason="Image status transition from "
                       f"{image['status']} to saving is not allowed")
        _store().upload(http.context(), self.image_id,
                        _chunks(pecan.request.body_file))
        return http.reply(None, 204)


def _chunks(stream, size=1 << 20):
    while chunk := stream.read(size):
        yield chunk


class ImagesController:
    """/image/v2/images."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize(I % "get_images")
        images = _page(_store().list(http.context(), _filters()))
        return http.reply({"images": [views.image(i) for i in images],
                           "first": "/v2/images",
                           "schema": "/v2/schemas/images"})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(IMAGE_CREATE)
        http.authorize(I % "add_image")
        if data.get("visibility") == "public":
            http.authorize(I % "publicize_image")
        record = dict(data)
        record.setdefault("visibility", "shared")
        record["owner"] = http.context().project_id
        image = _store().create(http.context(), record)
        return http.reply(views.image(image), 201,
                          headers={"Location": http.base_url() +
                                   f"/image/v2/images/{image['id']}"})

    @pecan.expose("json")
    def _lookup(self, image_id, *remainder):
        if not remainder or remainder == ("file",):
            return ImageController(image_id), remainder
        sub = _SUBRESOURCES.get(remainder[0])
        if sub is None:
            pecan.abort(404)
        return sub(image_id), remainder[1:]


_SUBRESOURCES = {"tags": sharing.TagController,
                 "members": sharing.MembersController,
                 "import": sharing.ImportController}
