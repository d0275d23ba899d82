"""The image dialect (``nimbus.api.dialects``): an Image v2 subset at
``/image`` over the configured image plugin (``[images] backend``).

With ``[images] backend = glance`` the images are a real Glance's, and
clients talk to Glance itself (the catalog's ``image`` endpoint): the
dialect then serves nothing, and ``/image`` is an unknown path (404), as
Nova serves no Image API of its own.
"""

from oslo_log import log as logging

from nimbus.api import faults, http
from nimbus.api.image import root

LOG = logging.getLogger(__name__)
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

    def __init__(self, conf, services):
        super().__init__(conf, services)
        if "images" in conf and conf.images.backend == "glance":
            LOG.warning("[images] backend = glance: the image dialect "
                        "serves nothing; clients use Glance's endpoint "
                        "(the catalog's image service)")
            self.prefixes = ()

    def error_response(self, request, error):
        # Glance answers errors as text; keystoneauth and the SDK read
        # the status and show the body.
        mapped = faults.fault(request, error)
        return faults.response(mapped, "text/plain",
                               f"{mapped.status} {mapped.message}")
