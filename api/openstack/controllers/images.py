"""/images: the compute API's read-only image proxy (up to 2.35; a
404 from 2.36, as Nova)."""

import pecan

from nimbus.api.openstack import common
from nimbus.api.openstack.controllers import security_groups
from nimbus.core import exception

#: Glance's image status -> Nova's (anything else is UNKNOWN).
_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING",
           "deleted": "DELETED", "pending_delete": "DELETED",
           "killed": "ERROR"}
#: Glance's image status -> Nova's progress (anything else is 0).
_PROGRESS = {"queued": 25, "saving": 50, "active": 100}


def image_view(image, detailed):
    body = {"id": image["id"], "name": image["name"],
            "links": common.link("images", image["id"])}
    if detailed:
        body.update({
            "status": _STATUS.get(image["status"], "UNKNOWN"),
            "minDisk": image["min_disk"], "minRam": image["min_ram"],
            "progress": _PROGRESS.get(image["status"], 0),
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
        security_groups.proxy_api_available()
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
        security_groups.proxy_api_available()
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
