"""The image contract: where image metadata and data come from.

An image plugin is registered in the ``nimbus.images`` group and chosen by
``[images] backend``. API services use it to list, look up and upload
images; compute hosts use :meth:`ImageStore.local_path` to reach the data.
Image records are plain ``dict`` objects in Glance v2's shape::

    {"id": str, "name": str, "status": "queued" | "active",
     "disk_format": str, "container_format": str, "size": int | None,
     "checksum": str | None, "min_disk": int, "min_ram": int,
     "visibility": "public" | "private" | "shared" | "community",
     "owner": str | None, "protected": bool, "os_hidden": bool,
     "tags": [str], "created_at": str, "updated_at": str,
     "properties": dict}

``properties`` holds everything else (``architecture``,
``hypervisor_type``, ``kernel_id``, ``ramdisk_id``, ...). ``checksum`` is
the MD5 hex digest of the data, as Glance's (clients verify downloads
with it). Records returned are the caller's: changing one changes nothing
in the store. :mod:`nimbus.core.testing.images` is the conformance kit.

Who sees an image (:func:`visible`): admins all; everyone ``public`` and
``community`` images; the owner its own; a member project a ``shared``
image it is a member of (any status for a lookup, ``accepted`` only in
lists unless the ``member_status`` filter asks otherwise). Members are
records of their own (:func:`new_member`)::

    {"image_id": str, "member_id": str,
     "status": "pending" | "accepted" | "rejected",
     "created_at": str, "updated_at": str}

Plugins keep visibility and the data consistent; *who may change what*
(owner or admin edits, a member sets only its own status) is policy, which
the API layers enforce before calling the plugin.
"""

import abc
import uuid as uuidlib

from oslo_utils import timeutils

from nimbus.core import exception

#: 1.0: list, get, create, upload, download, delete, local_path.
#: 1.1: records carry ``protected``, ``os_hidden`` and ``tags`` (a 1.0
#: record read back gets them from :func:`normalise`); :meth:`ImageStore.update`;
#: image members (``add_member``, ``list_members``, ``get_member``,
#: ``update_member``, ``delete_member``) that make ``shared`` images
#: visible to their member projects; list filters ``os_hidden`` and
#: ``member_status``. The new methods are abstract: a 1.0 plugin does not
#: load as a 1.1 one (PluginInterfaceMismatch names the missing methods).
INTERFACE_VERSION = "1.1"

#: the record keys :meth:`ImageStore.update` changes.
UPDATABLE = ("name", "visibility", "protected", "min_disk", "min_ram",
             "os_hidden", "tags", "disk_format", "container_format",
             "properties")
MEMBER_STATUSES = ("pending", "accepted", "rejected")


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
            "status": str, "visibility": str, "os_hidden": bool,
            "member_status": "accepted" | "pending" | "rejected" | "all",
            "tag": [str]}``; all given filters must match. Without
            ``os_hidden`` hidden and shown images are both listed (the
            Image API passes False, as Glance's default); without
            ``member_status`` a member lists the shared images it
            accepted.
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

    @abc.abstractmethod
    def update(self, context, image_id, changes):
        """Change keys of :data:`UPDATABLE` and return the new record.

        ``changes["properties"]``, when given, replaces the whole
        ``properties`` dict. ``updated_at`` moves on.
        :raises ImageNotFound: no such image (or not visible).
        :raises Invalid: a key outside :data:`UPDATABLE`.
        """

    @abc.abstractmethod
    def add_member(self, context, image_id, member_id):
        """Add project ``member_id`` (status ``pending``); return it.

        :raises ImageForbidden: the image is not ``shared``.
        :raises Conflict: already a member.
        """

    @abc.abstractmethod
    def list_members(self, context, image_id):
        """Return the image's members, oldest first (all of them: the
        API narrows a member's view to itself)."""

    @abc.abstractmethod
    def get_member(self, context, image_id, member_id):
        """Return one member. :raises ImageMemberNotFound:"""

    @abc.abstractmethod
    def update_member(self, context, image_id, member_id, status):
        """Set a member's status (one of :data:`MEMBER_STATUSES`).

        :raises ImageMemberNotFound:
        :raises Invalid: an unknown status.
        """

    @abc.abstractmethod
    def delete_member(self, context, image_id, member_id):
        """Remove a member. :raises ImageMemberNotFound:"""

    def local_path(self, context, image_id):
        """Return a local file path holding the image data, or None when
        the data must be fetched with :meth:`download`."""
        return None


# -- helpers for plugins ---------------------------------------------------

_CORE_KEYS = ("id", "name", "status", "disk_format", "container_format",
              "size", "checksum", "min_disk", "min_ram", "visibility",
              "owner", "created_at", "updated_at", "properties",
              "protected", "os_hidden", "tags")


def now():
    return timeutils.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def _bool(value):
    return value in (True, "True", "true")


def new_record(record, owner=None):
    """Return a complete image record from a partial one."""
    stamp = now()
    props = dict(record.get("properties") or {})
    for key, value in record.items():
        if key not in _CORE_KEYS:
            props[key] = value
    return normalise({
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
        "protected": _bool(record.get("protected", False)),
        "os_hidden": _bool(record.get("os_hidden", False)),
        "tags": sorted(set(record.get("tags") or [])),
        "created_at": stamp, "updated_at": stamp,
        "properties": props,
    })


def normalise(record):
    """Give a record (maybe stored by a 1.0 plugin, with ``protected`` a
    property) the 1.1 keys; returns ``record``."""
    props = record.setdefault("properties", {})
    if "protected" in props:
        record.setdefault("protected", _bool(props.pop("protected")))
    record.setdefault("protected", False)
    record.setdefault("os_hidden", False)
    record.setdefault("tags", [])
    return record


def apply_update(record, changes):
    """Return ``record`` with ``changes`` applied (see ImageStore.update).

    :raises Invalid: a key outside :data:`UPDATABLE`.
    """
    bad = sorted(set(changes) - set(UPDATABLE))
    if bad:
        raise exception.Invalid(reason=f"cannot update {', '.join(bad)}")
    record = dict(record)
    for key, value in changes.items():
        if key == "properties":
            record[key] = dict(value or {})
        elif key in ("protected", "os_hidden"):
            record[key] = _bool(value)
        elif key == "tags":
            record[key] = sorted(set(value or []))
        elif key in ("min_disk", "min_ram"):
            record[key] = int(value or 0)
        else:
            record[key] = value
    record["updated_at"] = now()
    return record


def new_member(image_id, member_id):
    stamp = now()
    return {"image_id": image_id, "member_id": member_id,
            "status": "pending", "created_at": stamp, "updated_at": stamp}


def check_shared(record):
    """:raises ImageForbidden: members belong to ``shared`` images only."""
    if record["visibility"] != "shared":
        raise exception.ImageForbidden(
            reason="Only shared images have members.")


def set_member_status(member, status):
    if status not in MEMBER_STATUSES:
        raise exception.Invalid(
            reason=f"Invalid status {status!r}: one of "
                   f"{', '.join(MEMBER_STATUSES)}")
    member = dict(member, status=status, updated_at=now())
    return member


def visible(context, record, members=None, statuses=MEMBER_STATUSES):
    """Whether ``context`` may see the image: admins all; others public
    and community ones, their own project's, and ``shared`` ones their
    project is a member of with a status in ``statuses``.

    :param members: ``{member_id: member}`` of the image.
    """
    if context is None or getattr(context, "is_admin", False):
        return True
    project = getattr(context, "project_id", None)
    if record["visibility"] in ("public", "community") \
            or record.get("owner") == project:
        return True
    member = (members or {}).get(project)
    return record["visibility"] == "shared" and member is not None \
        and member["status"] in statuses


def listed(context, record, members, filters):
    """Whether ``list`` returns the record: visible to ``context`` (a
    member sees ``accepted`` shared images unless ``member_status`` says
    otherwise) and matching ``filters``."""
    wanted = (filters or {}).get("member_status") or "accepted"
    statuses = MEMBER_STATUSES if wanted == "all" else (wanted,)
    return visible(context, record, members, statuses) and \
        matches(record, filters or {})


def matches(record, filters):
    if filters.get("name") is not None and \
            record.get("name") != filters["name"]:
        return False
    if filters.get("ids") is not None and record["id"] not in filters["ids"]:
        return False
    if filters.get("status") and record["status"] != filters["status"]:
        return False
    if filters.get("visibility") and \
            record["visibility"] != filters["visibility"]:
        return False
    if filters.get("os_hidden") is not None and \
            bool(record.get("os_hidden")) != bool(filters["os_hidden"]):
        return False
    if filters.get("tag") and \
            not set(filters["tag"]) <= set(record.get("tags") or []):
        return False
    return True
