"""The file driver's privileged operations (run in the privsep daemon).

Every path is checked to stay inside the driver's directory (``base``)
before anything runs; sizes and formats are checked too. Image copies
read their source from ``base`` or from the image directory handed in as
``source_root``.
"""

import os

from nimbus.core import exception, privileged

FORMATS = ("raw", "qcow2")
_MAX_BYTES = 1 << 50


def _fmt(value):
    if value not in FORMATS:
        raise exception.PrivilegedArgumentInvalid(argument="format",
                                                  value=repr(value))
    return value


def _base(base):
    if not isinstance(base, str) or not os.path.isabs(base) or \
            os.path.realpath(base) == "/":
        raise exception.PrivilegedArgumentInvalid(argument="directory",
                                                  value=repr(base))
    return base


def _size(value):
    return privileged.integer(value, 1, _MAX_BYTES, "size")


@privileged.context.entrypoint
def make_directory(base):
    """Create the volume directory (mode 0755) if it is missing."""
    os.makedirs(_base(base), mode=0o755, exist_ok=True)


@privileged.context.entrypoint
def create(base, path, size_bytes, fmt):
    """Create an empty volume file of ``size_bytes`` (sparse)."""
    path = privileged.path_under(path, _base(base))
    size_bytes, fmt = _size(size_bytes), _fmt(fmt)
    if fmt == "raw":
        privileged.execute("truncate", "-s", size_bytes, path)
    else:
        privileged.execute("qemu-img", "create", "-q", "-f", "qcow2", path,
                           size_bytes)


@privileged.context.entrypoint
def convert(base, source, source_fmt, dest, dest_fmt, source_root=None):
    """Copy ``source`` into the new file ``dest`` (sparse), converting
    formats; ``source`` lies in ``base`` or in ``source_root``."""
    base = _base(base)
    root = base if source_root is None else _base(source_root)
    source = privileged.path_under(source, root)
    dest = privileged.path_under(dest, base)
    privileged.execute("qemu-img", "convert", "-q", "-f", _fmt(source_fmt),
                       "-O", _fmt(dest_fmt), source, dest)
    os.chmod(dest, 0o644)


@privileged.context.entrypoint
def resize(base, path, fmt, size_bytes):
    """Grow the volume file to ``size_bytes`` (never shrinks)."""
    path = privileged.path_under(path, _base(base))
    size_bytes, fmt = _size(size_bytes), _fmt(fmt)
    if fmt == "raw":
        if os.path.getsize(path) > size_bytes:
            raise exception.PrivilegedArgumentInvalid(argument="size",
                                                      value=size_bytes)
        privileged.execute("truncate", "-s", size_bytes, path)
    else:
        privileged.execute("qemu-img", "resize", "-q", "-f", "qcow2", path,
                           size_bytes)


@privileged.context.entrypoint
def rename(base, source, dest):
    """Move ``source`` to ``dest`` atomically (same directory)."""
    base = _base(base)
    os.rename(privileged.path_under(source, base),
              privileged.path_under(dest, base))


@privileged.context.entrypoint
def remove(base, path):
    """Remove a file; one already gone is not an error."""
    try:
        os.unlink(privileged.path_under(path, _base(base)))
    except FileNotFoundError:
        pass
