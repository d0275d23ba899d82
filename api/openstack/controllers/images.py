"""/images: the compute API's read-only image proxy (up to 2.35)."""

import pecan

from nimbus.api.openstack import common
from nimbus.core import exception


def image_view(image, detailed):
    body = {"id": image["id"], "name": image["name"],
            "links": common.link("images", image["id"])}
    if detailed:
        body.update({
            "status": image["status"].upper(),
            "minDisk": image["min_disk"], "minRam": image["min_ram"],
            "progress": 100 if image["status"] == "active" else 0,
            "created": image["created_at"], "updated": image["updated_at"],
            "metadata": {k: str(v) for k, v in
                         (image.get("properties") or {}).items()},
            "OS-EXT-IMG-SIZE:size": image.get("size"),
        })
    return body


class ImageController:
    def __init__(self, image_id):
        self.image_id = image_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        ctx = common.context()
        image = common.services().images.get(ctx, self.image_id)
        return common.reply({"image": image_view(image, True)})


class ImagesController:
    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return self._list(False)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return self._list(True)

    def _list(self, detailed):
        ctx = common.context()
        # As Nova's proxy through Glance: hidden images are not listed.
        filters = {"os_hidden": False}
        if pecan.request.GET.get("name"):
            filters["name"] = pecan.request.GET["name"]
        images = common.services().images.list(ctx, filters)
        return common.reply({"images": [image_view(i, detailed)
                                        for i in images]})

    @pecan.expose("json")
    def _lookup(self, image_id, *remainder):
        if remainder:
            raise exception.NotFound()
        return ImageController(image_id), remainder
