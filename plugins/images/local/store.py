"""A directory image store: ``<id>.json`` metadata beside ``<id>.data``,
and ``<id>.members.json`` for the members of a shared image (a file per
image, so records stored before members existed read unchanged).

Writes go to a temporary file first and are renamed into place, so a
reader never sees half an image and a failed upload leaves nothing.
"""

import errno
import hashlib
import json
import os
import threading
import uuid as uuidlib

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.interfaces import images
from nimbus.plugins.images.local import conf as local_conf

LOG = logging.getLogger(__name__)

_ID_CHARS = set("0123456789abcdefABCDEF-")
class LocalImages(images.ImageStore):
    """Images kept as files in ``[local_images] path``."""

    def __init__(self, conf):
        super().__init__(conf)
        local_conf.register_opts(conf)
        self._lock = threading.Lock()

    @property
    def root(self):
        return self.conf.local_images.path

    def _made_root(self):
        """The root, made if missing: before a write or a listing (a
        read of a missing file needs no directory, and asking for one
        on every path cost a boot a failed mkdir)."""
        os.makedirs(self.root, exist_ok=True)
        return self.root

    def _meta_path(self, image_id):
        if not image_id or not set(image_id) <= _ID_CHARS:
            raise exception.ImageNotFound(image_id=image_id)
        return os.path.join(self.root, f"{image_id}.json")

    def _data_path(self, image_id):
        return self._meta_path(image_id)[:-len(".json")] + ".data"

    def _members_path(self, image_id):
        return self._meta_path(image_id)[:-len(".json")] + ".members.json"

    def _read(self, image_id):
        try:
            with open(self._meta_path(image_id)) as f:
                return images.normalise(json.load(f))
        except (FileNotFoundError, json.JSONDecodeError):
            raise exception.ImageNotFound(image_id=image_id)

    def _read_members(self, image_id):
        try:
            with open(self._members_path(image_id)) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def _write(self, record, path=None):
        self._made_root()
        path = path or self._meta_path(record["id"])
        tmp = f"{path}.{uuidlib.uuid4().hex}.tmp"
        with open(tmp, "w") as f:
            json.dump(record, f, sort_keys=True)
        os.replace(tmp, path)

    def _write_members(self, image_id, members):
        self._write(members, self._members_path(image_id))

    def list(self, context, filters=None):
        filters = filters or {}
        records = []
        for name in os.listdir(self._made_root()):
            if not name.endswith(".json") or name.endswith(".members.json"):
                continue
            try:
                record = self._read(name[:-5])
            except exception.ImageNotFound:
                continue  # removed while listing
            members = self._read_members(record["id"])
            if images.listed(context, record, members, filters):
                records.append(record)
        return sorted(records, key=lambda r: (r["created_at"], r["id"]))

    def get(self, context, image_id):
        record = self._read(image_id)
        if not images.visible(context, record,
                              self._read_members(image_id)):
            raise exception.ImageNotFound(image_id=image_id)
        return record

    def create(self, context, record):
        owner = getattr(context, "project_id", None)
        full = images.new_record(record, owner=owner)
        with self._lock:
            if os.path.exists(self._meta_path(full["id"])):
                raise exception.Conflict(
                    reason=f"image {full['id']} already exists")
            self._write(full)
        return full

    def upload(self, context, image_id, chunks):
        record = self.get(context, image_id)
        path = self._data_path(image_id)
        tmp = f"{path}.{uuidlib.uuid4().hex}.tmp"
        digest, size = hashlib.md5(usedforsecurity=False), 0
        try:
            with open(tmp, "wb") as f:
                for chunk in chunks:
                    _write(f, chunk, image_id)
                    digest.update(chunk)
                    size += len(chunk)
            os.replace(tmp, path)
        except OSError as err:
            LOG.error("Storing image %(id)s in %(path)s failed: %(err)s",
                      {"id": image_id, "path": path, "err": err})
            raise exception.ImageStoreError(image_id=image_id) from err
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        record.update(status="active", size=size,
                      checksum=digest.hexdigest(),
                      updated_at=timeutils.utcnow().strftime(
                          "%Y-%m-%dT%H:%M:%SZ"))
        self._write(record)
        return record

    def download(self, context, image_id):
        self.get(context, image_id)
        path = self._data_path(image_id)
        if not os.path.exists(path):
            raise exception.ImageNotFound(image_id=image_id)
        return _read_chunks(path)

    def delete(self, context, image_id):
        self.get(context, image_id)
        for path in (self._data_path(image_id), self._members_path(image_id),
                     self._meta_path(image_id)):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def update(self, context, image_id, changes):
        self.get(context, image_id)
        with self._lock:
            record = images.apply_update(self._read(image_id), changes)
            self._write(record)
        return record

    # -- members ------------------------------------------------------------

    def add_member(self, context, image_id, member_id):
        images.check_shared(self.get(context, image_id))
        with self._lock:
            members = self._read_members(image_id)
            if member_id in members:
                raise exception.Conflict(
                    reason=f"{member_id} is already a member of image "
                           f"{image_id}")
            members[member_id] = images.new_member(image_id, member_id)
            self._write_members(image_id, members)
        return members[member_id]

    def list_members(self, context, image_id):
        self.get(context, image_id)
        return sorted(self._read_members(image_id).values(),
                      key=lambda m: (m["created_at"], m["member_id"]))

    def get_member(self, context, image_id, member_id):
        self.get(context, image_id)
        member = self._read_members(image_id).get(member_id)
        if member is None:
            raise exception.ImageMemberNotFound(image_id=image_id,
                                                member_id=member_id)
        return member

    def update_member(self, context, image_id, member_id, status):
        self.get_member(context, image_id, member_id)
        with self._lock:
            members = self._read_members(image_id)
            member = images.set_member_status(members[member_id], status)
            members[member_id] = member
            self._write_members(image_id, members)
        return member

    def delete_member(self, context, image_id, member_id):
        self.get_member(context, image_id, member_id)
        with self._lock:
            members = self._read_members(image_id)
            members.pop(member_id, None)
            self._write_members(image_id, members)

    def local_path(self, context, image_id):
        path = self._data_path(image_id)
        return path if os.path.exists(path) else None


def _read_chunks(path, size=1 << 20):
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


def _write(f, chunk, image_id):
    """Write one chunk; a full disk is the caller's 413, not our 500."""
    try:
        f.write(chunk)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise exception.ImageStoreFull(image_id=image_id) from err
        raise
