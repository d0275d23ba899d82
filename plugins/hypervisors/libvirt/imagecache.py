"""Base images cached per host, and guests' disks made from them.

Image data is copied once into ``<instances_path>/_base/<sha1(image id)>``;
root disks are qcow2 overlays on it (``qemu-img create -f qcow2 -b BASE -F
FMT``) or raw full copies (``qemu-img convert``). qemu-img runs through
``processutils.execute`` with argument lists whose values are checked
first: absolute paths without NUL, formats from a fixed set, positive
sizes.
"""

import hashlib
import json
import os
import shutil
import tempfile

from oslo_concurrency import lockutils, processutils
from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)

BASE_DIR = "_base"
FORMATS = ("raw", "qcow2")
GiB = 1024 ** 3


def _path(value):
    if not isinstance(value, str) or not os.path.isabs(value) or \
            "\0" in value:
        raise exception.InvalidInput(
            reason=f"expected an absolute path, got {value!r}")
    return os.path.normpath(value)


def _format(value):
    if value not in FORMATS:
        raise exception.InvalidInput(
            reason=f"unsupported disk format {value!r}; "
                   f"supported: {', '.join(FORMATS)}")
    return value


def _size(value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise exception.InvalidInput(reason=f"invalid size {value!r}")
    return str(value)


def create_args(path, fmt="qcow2", size=None, backing=None,
                backing_fmt=None):
    """Return the ``qemu-img create`` argument list."""
    args = ["qemu-img", "create", "-q", "-f", _format(fmt)]
    if backing is not None:
        args += ["-b", _path(backing), "-F", _format(backing_fmt)]
    args.append(_path(path))
    if size is not None:
        args.append(_size(size))
    return args


def convert_args(source, source_fmt, dest, dest_fmt="raw",
                 force_share=False):
    """Return the ``qemu-img convert`` argument list.

    :param force_share: read a disk a running QEMU holds open (``-U``).
    """
    share = ["-U"] if force_share else []
    return ["qemu-img", "convert", "-q", *share, "-f", _format(source_fmt),
            "-O", _format(dest_fmt), _path(source), _path(dest)]


def info_args(path, fmt):
    """Return the ``qemu-img info`` argument list (JSON output)."""
    return ["qemu-img", "info", "--output=json", "-f", _format(fmt),
            _path(path)]


def _run(args):
    try:
        processutils.execute(*args)
    except processutils.ProcessExecutionError as err:
        raise exception.HypervisorError(
            reason=f"{' '.join(args[:2])} failed: {err.stderr.strip()}")


def virtual_size(path, fmt):
    """Return the virtual size in bytes of the image at ``path``."""
    if fmt == "raw":
        return os.path.getsize(path)
    try:
        out, _err = processutils.execute(*info_args(path, fmt))
    except processutils.ProcessExecutionError as err:
        raise exception.HypervisorError(
            reason=f"qemu-img info failed: {err.stderr.strip()}")
    return int(json.loads(out)["virtual-size"])


class ImageCache:
    """Base images of one host under ``<instances_path>/_base``."""

    def __init__(self, instances_path):
        self.base_dir = os.path.join(instances_path, BASE_DIR)

    def base_path(self, image_id):
        name = hashlib.sha1(image_id.encode()).hexdigest()
        return os.path.join(self.base_dir, name)

    def fetch(self, image_id, source_path):
        """Return the cached copy of ``source_path``, copying it once.

        Concurrent callers for the same image wait for one copy; a partial
        copy is never visible under the final name.
        """
        dest = self.base_path(image_id)
        with lockutils.lock(f"nimbus-libvirt-base-{os.path.basename(dest)}"):
            if os.path.exists(dest):
                return dest
            if not source_path or not os.path.isfile(source_path):
                raise exception.InvalidInput(
                    reason=f"image {image_id} has no local data "
                           f"({source_path!r})")
            os.makedirs(self.base_dir, mode=0o755, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.base_dir, prefix=".tmp-")
            os.close(fd)
            try:
                shutil.copyfile(source_path, tmp)
                os.chmod(tmp, 0o644)
                os.replace(tmp, dest)
            except BaseException:
                os.unlink(tmp)
                raise
            LOG.info("Cached image %(image)s as %(path)s",
                     {"image": image_id, "path": dest})
            return dest

    @staticmethod
    def create_disk(base, base_fmt, dest, images_type, size=None):
        """Make the guest disk ``dest`` from ``base``.

        :param size: bytes the disk should have at least; it is only grown,
            never shrunk below the image's own size.
        """
        base_size = virtual_size(base, base_fmt)
        grow = size if size and size > base_size else None
        if images_type == "qcow2":
            _run(create_args(dest, "qcow2", grow, base, base_fmt))
            return
        _run(convert_args(base, base_fmt, dest, "raw"))
        if grow:
            os.truncate(dest, grow)

    @staticmethod
    def create_blank(dest, images_type, size):
        """Make an empty disk of ``size`` bytes."""
        _run(create_args(dest, images_type, size))


def resize_args(path, fmt, size):
    """Return the ``qemu-img resize`` argument list (grow ``path`` to
    ``size`` bytes)."""
    return ["qemu-img", "resize", "-q", "-f", _format(fmt), _path(path),
            _size(size)]


def rebase_args(path, backing, backing_fmt):
    """Return the ``qemu-img rebase -u`` argument list: point the qcow2
    overlay ``path`` at ``backing`` (the same data under another path)."""
    return ["qemu-img", "rebase", "-q", "-u", "-f", "qcow2", "-b",
            _path(backing), "-F", _format(backing_fmt), _path(path)]


def grow(path, fmt, size):
    """Grow the disk ``path`` to ``size`` bytes when it is smaller; a
    larger disk is left alone (disks never shrink)."""
    if size and virtual_size(path, fmt) < size:
        _run(resize_args(path, fmt, size))
