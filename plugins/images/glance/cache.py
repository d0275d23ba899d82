"""Image data on a compute host: each image downloaded from Glance once
into ``[glance] cache_dir`` and kept (data in Glance never changes).

A download goes to a temporary file beside its final name, is checked
against Glance's multihash (``os_hash_algo``/``os_hash_value``, or the
MD5 ``checksum`` of images older than multihash) and only then renamed
into place: a reader never sees half an image or a corrupt one.
"""

import hashlib
import os
import threading
import uuid as uuidlib

from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)
_LOCKS = {}
_LOCKS_LOCK = threading.Lock()


def _lock(path):
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(path, threading.Lock())


def cached(cache_dir, image_id):
    """The cached file of ``image_id``, or None."""
    path = os.path.join(cache_dir, image_id)
    return path if os.path.exists(path) else None


def fetch(cache_dir, body, chunks):
    """Store the data of Glance image ``body`` (its JSON) from the
    iterable ``chunks`` in the cache; return the file's path.

    :raises ImageStoreError: the data does not match Glance's hash (or
        could not be written); nothing is left behind.
    """
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, body["id"])
    with _lock(path):
        if os.path.exists(path):
            return path  # another thread fetched it meanwhile
        algo, want = body.get("os_hash_algo"), body.get("os_hash_value")
        if not (algo and want):
            algo, want = "md5", body.get("checksum")
        digest = hashlib.new(algo, usedforsecurity=False)
        tmp = f"{path}.{uuidlib.uuid4().hex}.tmp"
        try:
            with open(tmp, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
                    digest.update(chunk)
            if want and digest.hexdigest() != want:
                LOG.error("Image %(id)s from Glance: %(algo)s %(got)s, "
                          "Glance says %(want)s; not cached",
                          {"id": body["id"], "algo": algo,
                           "got": digest.hexdigest(), "want": want})
                raise exception.ImageStoreError(image_id=body["id"])
            os.replace(tmp, path)
        except OSError as err:
            LOG.error("Caching image %(id)s in %(path)s failed: %(err)s",
                      {"id": body["id"], "path": path, "err": err})
            raise exception.ImageStoreError(image_id=body["id"]) from err
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    LOG.info("Image %(id)s cached in %(path)s", {"id": body["id"],
                                                 "path": path})
    return path
