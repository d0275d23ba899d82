"""/image and /image/v2: version documents and the resources."""

import pecan

from nimbus.api import http
from nimbus.api.image import controllers, openapi, sharing, views


class V2Controller:
    """/image/v2."""

    images = controllers.ImagesController()
    info = sharing.InfoController()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(views.versions(http.base_url()), 300)

    @pecan.expose("json", route="openapi.json")
    def openapi(self):
        http.allow("GET")
        return http.reply(openapi.document(http.base_url()))


class ImageRoot:
    """/image: the version list."""

    def __init__(self):
        self.v2 = V2Controller()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(views.versions(http.base_url()), 300)

    @pecan.expose("json")
    def versions(self):
        http.allow("GET")
        return http.reply(views.versions(http.base_url()))

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if segment == "image":
            return self, remainder
        pecan.abort(404)
