"""Image pre-caching on the compute host (rpcapi 1.14, Compute API 2.81):
an administrator asks that the hosts of an aggregate hold some images
before any guest needs them.

:class:`ImageCacheManagerMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager`; it relies on its
``driver`` and ``images``.
"""

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.compute import guest_spec

LOG = logging.getLogger(__name__)

#: what happened to one image on this host.
CACHED, EXISTING, UNSUPPORTED, ERROR = \
    "cached", "existing", "unsupported", "error"


class ImageCacheManagerMixin:
    """cache_images."""

    def cache_images(self, context, image_ids):
        """Copy each image into the plugin's image cache, one after the
        other; one failing does not stop the others.

        :returns: ``{image_id: "cached" | "existing" | "unsupported" |
            "error"}``.
        """
        results = {}
        for image_id in image_ids:
            try:
                image = guest_spec.image_spec(context, self.images,
                                              image_id)
                new = self.driver.cache_image(context, image)
                results[image_id] = CACHED if new else EXISTING
            except exception.UnsupportedOperation:
                results[image_id] = UNSUPPORTED
            except Exception as err:
                LOG.warning("Pre-caching image %(image)s on %(host)s "
                            "failed: %(err)s", {"image": image_id,
                                                "host": self.host,
                                                "err": err})
                results[image_id] = ERROR
        LOG.info("Pre-cached images on %(host)s: %(results)s",
                 {"host": self.host, "results": results})
        return results
