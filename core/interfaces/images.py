"""The image contract: where image metadata and data come from.

An image plugin is registered in the ``nimbus.images`` group and chosen by
``[images] backend``. API services use it to list, look up and upload
images; compute hosts use :meth:`ImageStore.local_path` to reach the data.
Image records are plain ``dict`` objects in Glance v2's shape::

    {"id": str, "name": str, "status": "queued" | "active",
     "disk_format": str, "container_format": str, "size": int | None,
     "checksum": str | None, "min_disk": int, "min_ram": int,
     "visibility": "public" | "private", "owner": str | None,
     "created_at": str, "updated_at": str, "properties": dict}

``properties`` holds everything else (``architecture``,
``hypervisor_type``, ``kernel_id``, ``ramdisk_id``, ...). ``checksum`` is
the MD5 hex digest of the data, as Glance's (clients verify downloads
with it). Records returned are the caller's: changing one changes nothing
in the store. :mod:`nimbus.core.testing.images` is the conformance kit.
"""

import abc
import uuid as uuidlib

from oslo_utils import timeutils

INTERFACE_VERSION = "1.0"


class ImageStore(abc.ABC):
    """Base class of image plugins.

    :param conf: the ``cfg.ConfigOpts`` to read (and register) options on.
    """

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def list(self, context, filters=None):
        """Return image records visible to ``context``, oldest first.

        :param filters: optional ``{"name": str, "ids": [str],
            "status": str}``; all given filters must match.
        """

    @abc.abstractmethod
    def get(self, context, image_id):
        """Return one image record.

        :raises ImageNotFound: no such image (or not visible).
        """

    @abc.abstractmethod
    def create(self, context, record):
        """Store a new image record (status ``queued``) and return it.

        ``record`` may carry an ``id``; otherwise one is generated.
        :raises Conflict: the id is taken.
        """

    @abc.abstractmethod
    def upload(self, context, image_id, chunks):
        """Store the image data from an iterable of ``bytes``.

        Sets size and checksum and makes the image ``active``. On failure
        no partial data is left and the image stays ``queued``.
        """

    @abc.abstractmethod
    def download(self, context, image_id):
        """Return an iterator of ``bytes`` of the image data.

        :raises ImageNotFound: no such image or it has no data.
        """

    @abc.abstractmethod
    def delete(self, context, image_id):
        """Remove the image record and its data.

        :raises ImageNotFound: no such image.
        """

    def local_path(self, context, image_id):
        """Return a local file path holding the image data, or None when
        the data must be fetched with :meth:`download`."""
        return None


# -- helpers for plugins ---------------------------------------------------

_CORE_KEYS = ("id", "name", "status", "disk_format", "container_format",
              "size", "checksum", "min_disk", "min_ram", "visibility",
              "owner", "created_at", "updated_at", "properties")


def new_record(record, owner=None):
    """Return a complete image record from a partial one."""
    now = timeutils.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    props = dict(record.get("properties") or {})
    for key, value in record.items():
        if key not in _CORE_KEYS:
            props[key] = value
    return {
        "id": record.get("id") or str(uuidlib.uuid4()),
        "name": record.get("name"),
        "status": "queued",
        "disk_format": record.get("disk_format") or "raw",
        "container_format": record.get("container_format") or "bare",
        "size": None, "checksum": None,
        "min_disk": int(record.get("min_disk") or 0),
        "min_ram": int(record.get("min_ram") or 0),
        "visibility": record.get("visibility") or "public",
        "owner": record.get("owner", owner),
        "created_at": now, "updated_at": now,
        "properties": props,
    }


def visible(context, record):
    """Whether ``context`` may see the image: admins all; others public
    and community ones, and their own project's. A ``shared`` image is
    the owner's alone: Glance shows it to its members too, and nimbus
    has no image members."""
    if context is None or getattr(context, "is_admin", False):
        return True
    return (record["visibility"] in ("public", "community")
            or record.get("owner") == getattr(context, "project_id", None))


def matches(record, filters):
    if filters.get("name") is not None and \
            record.get("name") != filters["name"]:
        return False
    if filters.get("ids") is not None and record["id"] not in filters["ids"]:
        return False
    if filters.get("status") and record["status"] != filters["status"]:
        return False
    return True
