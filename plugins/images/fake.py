"""The ``fake`` image plugin: records in memory, for tests."""

import copy
import hashlib
import threading

from nimbus.core import exception
from nimbus.core.interfaces import images


class FakeImages(images.ImageStore):
    """Image records, members and data in dicts; nothing touches the
    disk."""

    def __init__(self, conf):
        super().__init__(conf)
        self._lock = threading.Lock()
        self._records = {}
        self._members = {}  # image id -> {member id -> member}
        self._data = {}

    def list(self, context, filters=None):
        with self._lock:
            pairs = [(copy.deepcopy(r), copy.deepcopy(
                self._members.get(r["id"], {})))
                for r in self._records.values()]
        return [r for r, members in pairs
                if images.listed(context, r, members, filters)]

    def get(self, context, image_id):
        with self._lock:
            record = copy.deepcopy(self._records.get(image_id))
            members = copy.deepcopy(self._members.get(image_id, {}))
        if record is None or not images.visible(context, record, members):
            raise exception.ImageNotFound(image_id=image_id)
        return record

    def create(self, context, record):
        full = images.new_record(record, owner=getattr(context, "project_id", None))
        with self._lock:
            if full["id"] in self._records:
                raise exception.Conflict(
                    reason=f"image {full['id']} already exists")
            self._records[full["id"]] = full
        return copy.deepcopy(full)

    def upload(self, context, image_id, chunks):
        self.get(context, image_id)
        data = b"".join(chunks)
        with self._lock:
            self._data[image_id] = data
            record = self._records[image_id]
            record.update(status="active", size=len(data),
                          checksum=hashlib.md5(
                              data, usedforsecurity=False).hexdigest())
            return copy.deepcopy(record)

    def download(self, context, image_id):
        self.get(context, image_id)
        with self._lock:
            if image_id not in self._data:
                raise exception.ImageNotFound(image_id=image_id)
            return iter([self._data[image_id]])

    def delete(self, context, image_id):
        self.get(context, image_id)
        with self._lock:
            self._records.pop(image_id, None)
            self._members.pop(image_id, None)
            self._data.pop(image_id, None)

    def update(self, context, image_id, changes):
        self.get(context, image_id)
        with self._lock:
            record = images.apply_update(self._records[image_id], changes)
            self._records[image_id] = record
            return copy.deepcopy(record)

    # -- members ------------------------------------------------------------

    def add_member(self, context, image_id, member_id):
        images.check_shared(self.get(context, image_id))
        with self._lock:
            members = self._members.setdefault(image_id, {})
            if member_id in members:
                raise exception.Conflict(
                    reason=f"{member_id} is already a member of image "
                           f"{image_id}")
            members[member_id] = images.new_member(image_id, member_id)
            return dict(members[member_id])

    def list_members(self, context, image_id):
        self.get(context, image_id)
        with self._lock:
            members = [dict(m) for m in
                       self._members.get(image_id, {}).values()]
        return sorted(members, key=lambda m: (m["created_at"],
                                              m["member_id"]))

    def get_member(self, context, image_id, member_id):
        self.get(context, image_id)
        with self._lock:
            member = self._members.get(image_id, {}).get(member_id)
        if member is None:
            raise exception.ImageMemberNotFound(image_id=image_id,
                                                member_id=member_id)
        return dict(member)

    def update_member(self, context, image_id, member_id, status):
        member = images.set_member_status(
            self.get_member(context, image_id, member_id), status)
        with self._lock:
            self._members[image_id][member_id] = member
        return dict(member)

    def delete_member(self, context, image_id, member_id):
        self.get_member(context, image_id, member_id)
        with self._lock:
            self._members.get(image_id, {}).pop(member_id, None)
