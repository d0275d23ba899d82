"""The image dialect (``nimbus.api.dialects``): an Image v2 subset at
``/image`` over the configured image plugin (``[images] backend``)."""

import webob

from nimbus.api import http
from nimbus.api.image import controllers
from nimbus.api.openstack import faults

_PUBLIC = {"/image", "/image/", "/image/versions", "/image/v2",
           "/image/v2/"}


def is_public(request):
    return request.method in ("GET", "HEAD") and request.path in _PUBLIC


class ImageDialect(http.AuthenticatedDialect):
    """Image v2: versions, list, show, create, upload, download,
    delete."""

    prefixes = ("image",)
    root_class = controllers.ImageRoot
    is_public = staticmethod(is_public)

    def error_response(self, request, error):
        # Glance answers errors as text; keystoneauth and the SDK read
        # the status and show the body.
        status, message = faults.status_and_message(error)
        response = webob.Response(status=status,
                                  content_type="text/plain",
                                  charset="utf-8")
        response.text = f"{status} {message}"
        if status == 401:
            response.headers["WWW-Authenticate"] = \
                f'Keystone uri="{request.host_url}/identity"'
        return response
