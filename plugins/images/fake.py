"""The ``fake`` image plugin: records in memory, for tests."""

import copy
import hashlib
import threading

from nimbus.core import exception
from nimbus.core.interfaces import images


class FakeImages(images.ImageStore):
    """Image records and data in a dict; nothing touches the disk."""

    def __init__(self, conf):
        super().__init__(conf)
        self._lock = threading.Lock()
        self._records = {}
        self._data = {}

    def list(self, context, filters=None):
        with self._lock:
            records = [copy.deepcopy(r) for r in self._records.values()]
        return [r for r in records
                if images.visible(context, r)
                and images.matches(r, filters or {})]

    def get(self, context, image_id):
        with self._lock:
            record = copy.deepcopy(self._records.get(image_id))
        if record is None or not images.visible(context, record):
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
            self._data.pop(image_id, None)
