"""The local image store turns disk errors into nimbus errors: a full
disk is a 413 for the caller, any other write error a logged 500; both
leave no partial file behind."""

import builtins
import errno
import os

import pytest
from oslo_config import cfg

from nimbus.core import context as nimbus_context
from nimbus.core import exception, loading

IMAGE = "0b5e4a1c-0000-4000-8000-00000000000a"


@pytest.fixture
def store(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default=str(tmp_path)))
    conf([], project="nimbus-test", default_config_files=[])
    images = loading.load_driver(loading.IMAGES, "local", conf)
    ctx = nimbus_context.get_admin_context()
    images.create(ctx, {"id": IMAGE, "name": "x", "disk_format": "raw"})
    return images, ctx, tmp_path


class _FailingFile:
    def __init__(self, path, err):
        self._f = builtins.open(path, "wb")
        self._err = err

    def write(self, chunk):
        raise OSError(self._err, os.strerror(self._err))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _fail_writes(monkeypatch, err):
    from nimbus.plugins.images.local import store as store_mod

    def fake_open(path, mode="r", *args, **kwargs):
        if mode == "wb" and path.endswith(".tmp"):
            return _FailingFile(path, err)
        return builtins.open(path, mode, *args, **kwargs)
    monkeypatch.setattr(store_mod, "open", fake_open, raising=False)


def _leftovers(tmp_path):
    return [p.name for p in tmp_path.rglob("*") if p.suffix in (".tmp",
                                                                ".data")]


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EDQUOT])
def test_full_disk_is_413_and_leaves_nothing(store, monkeypatch, err):
    images, ctx, tmp_path = store
    _fail_writes(monkeypatch, err)
    with pytest.raises(exception.ImageStoreFull) as caught:
        images.upload(ctx, IMAGE, [b"data"])
    assert caught.value.code == 413
    assert _leftovers(tmp_path) == []
    assert images.get(ctx, IMAGE)["status"] != "active"


def test_other_write_error_is_a_store_error(store, monkeypatch):
    images, ctx, tmp_path = store
    _fail_writes(monkeypatch, errno.EIO)
    with pytest.raises(exception.ImageStoreError) as caught:
        images.upload(ctx, IMAGE, [b"data"])
    assert caught.value.code == 500
    assert IMAGE in caught.value.message
    assert _leftovers(tmp_path) == []
