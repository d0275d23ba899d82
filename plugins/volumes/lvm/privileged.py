"""The LVM driver's privileged commands (run in the privsep daemon).

Volume group and LV names are checked against LVM's name rules, sizes
are whole GiB, and device paths are built here from checked names
(``/dev/<vg>/<lv>``), never taken from the caller. ``metadata_only``
adds ``--driverloaded n`` (and ``--activate n --zero n`` to lvcreate):
LVM without device-mapper.
"""

import os
import re

from nimbus.core import exception, privileged

_NAME = re.compile(r"^[A-Za-z0-9+_][A-Za-z0-9+_.-]{0,126}$")
_MAX_GB = 1 << 20
_FORMATS = ("raw", "qcow2")


def _name(value, argument):
    if not isinstance(value, str) or not _NAME.match(value) or \
            value in (".", ".."):
        raise exception.PrivilegedArgumentInvalid(argument=argument,
                                                  value=repr(value))
    return value


def _gb(value):
    return privileged.integer(value, 1, _MAX_GB, "size in GiB")


def _flags(metadata_only):
    return ["--driverloaded", "n"] if metadata_only is True else []


def _lvm(*argv):
    env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1")
    return privileged.execute(*argv, env=env)[0]


def device(vg, lv):
    """The device node of ``vg/lv`` (names checked)."""
    return f"/dev/{_name(vg, 'volume group')}/{_name(lv, 'LV name')}"


@privileged.context.entrypoint
def vgs(vg, metadata_only):
    """``(size, free, extent size)`` of the group in bytes."""
    out = _lvm("vgs", *_flags(metadata_only), "--noheadings", "--units",
               "b", "--nosuffix", "--separator", "|", "-o",
               "vg_size,vg_free,vg_extent_size", _name(vg, "volume group"))
    size, free, extent = out.strip().split("|")
    return int(size), int(free), int(extent)


@privileged.context.entrypoint
def lvs(vg, metadata_only):
    """Every LV of the group: ``[{"name", "size", "attr", "origin"}]``
    (size in bytes)."""
    out = _lvm("lvs", *_flags(metadata_only), "--noheadings", "--units",
               "b", "--nosuffix", "--separator", "|", "-o",
               "lv_name,lv_size,lv_attr,origin", _name(vg, "volume group"))
    rows = []
    for line in out.splitlines():
        if not line.strip():
            continue
        name, size, attr, origin = (f.strip() for f in line.split("|"))
        rows.append({"name": name, "size": int(size), "attr": attr,
                     "origin": origin or None})
    return rows


@privileged.context.entrypoint
def lvcreate(vg, lv, size_gb, metadata_only):
    """Create a thick linear LV of ``size_gb`` GiB."""
    argv = ["lvcreate", *_flags(metadata_only)]
    if metadata_only is True:
        argv += ["--activate", "n", "--zero", "n"]
    else:
        argv += ["--yes"]
    argv += ["-L", f"{_gb(size_gb)}G", "-n", _name(lv, "LV name"),
             _name(vg, "volume group")]
    _lvm(*argv)


@privileged.context.entrypoint
def lvcreate_snapshot(vg, origin, lv, size_gb):
    """Create the snapshot LV ``lv`` of ``origin`` (needs
    device-mapper)."""
    _lvm("lvcreate", "--snapshot", "-L", f"{_gb(size_gb)}G", "-n",
         _name(lv, "LV name"),
         f"{_name(vg, 'volume group')}/{_name(origin, 'LV name')}")


@privileged.context.entrypoint
def lvextend(vg, lv, size_gb, metadata_only):
    """Grow ``lv`` to ``size_gb`` GiB."""
    _lvm("lvextend", *_flags(metadata_only), "-L", f"{_gb(size_gb)}G",
         f"{_name(vg, 'volume group')}/{_name(lv, 'LV name')}")


@privileged.context.entrypoint
def lvremove(vg, lv, metadata_only):
    _lvm("lvremove", *_flags(metadata_only), "-f",
         f"{_name(vg, 'volume group')}/{_name(lv, 'LV name')}")


@privileged.context.entrypoint
def clear(vg, lv, size_mb):
    """Write zeros over the first ``size_mb`` MiB of ``lv``."""
    privileged.execute(
        "dd", "if=/dev/zero", f"of={device(vg, lv)}", "bs=1M",
        f"count={privileged.integer(size_mb, 1, _MAX_GB * 1024, 'MiB')}",
        "oflag=direct", "conv=fdatasync")


@privileged.context.entrypoint
def copy(vg, source_lv, dest_lv):
    """Copy the bytes of ``source_lv`` onto ``dest_lv`` (at least as
    large)."""
    privileged.execute(
        "dd", f"if={device(vg, source_lv)}", f"of={device(vg, dest_lv)}",
        "bs=1M", "oflag=direct", "conv=sparse,fdatasync")


@privileged.context.entrypoint
def image_to_lv(vg, lv, image_path, image_format):
    """Write an image file (converted to raw) onto ``lv``."""
    if not isinstance(image_path, str) or not os.path.isabs(image_path) \
            or not os.path.isfile(image_path) or image_format not in \
            _FORMATS:
        raise exception.PrivilegedArgumentInvalid(argument="image",
                                                  value=repr(image_path))
    privileged.execute("qemu-img", "convert", "-q", "-f", image_format,
                       "-O", "raw", "-n", image_path, device(vg, lv))


@privileged.context.entrypoint
def lv_to_image(vg, lv, dest_path, disk_format):
    """Write ``lv`` into the new image file ``dest_path``."""
    if not isinstance(dest_path, str) or not os.path.isabs(dest_path) or \
            os.path.exists(dest_path) or disk_format not in _FORMATS:
        raise exception.PrivilegedArgumentInvalid(argument="destination",
                                                  value=repr(dest_path))
    privileged.execute("qemu-img", "convert", "-q", "-f", "raw", "-O",
                       disk_format, device(vg, lv), dest_path)
    os.chmod(dest_path, 0o644)
