"""The image dialect (``nimbus.api.dialects``): an Image v2 subset at
``/image`` over the configured image plugin (``[images] backend``)."""

from nimbus.api import faults, http
from nimbus.api.image import root

_PUBLIC = {"/image", "/image/", "/image/versions", "/image/v2",
           "/image/v2/", "/image/v2/openapi.json"}


def is_public(request):
    return request.method in ("GET", "HEAD") and request.path in _PUBLIC


class ImageDialect(http.AuthenticatedDialect):
    """Image v2: versions, list, show, create, upload, download,
    delete."""

    prefixes = ("image",)
    root_class = root.ImageRoot
    is_public = staticmethod(is_public)

    def error_response(self, request, error):
        # Glance answers errors as text; keystoneauth and the SDK read
        # the status and show the body.
        mapped = faults.fault(request, error)
        return faults.response(mapped, "text/plain",
                               f"{mapped.status} {mapped.message}")
