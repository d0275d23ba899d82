"""Fixtures for the volume plugins against real tools (root needed)."""

import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest
from oslo_config import cfg

from nimbus.core import privileged


@pytest.fixture(scope="session")
def privsep():
    """The privsep daemon of this test process (tests run as root)."""
    assert os.geteuid() == 0, "the volume plugin tests need root"
    privileged.start()
    yield
    privileged.stop()


def make_conf(**groups):
    """A private ConfigOpts with a state_path and the given overrides
    (``{group: {option: value}}``), set after the plugins register."""
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path"))
    conf([], project="nimbus-test", default_config_files=[])
    return conf, groups


def apply(conf, groups):
    for group, values in groups.items():
        for key, value in values.items():
            conf.set_override(key, value, group=group)


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix=f"nimbus-vol-{uuid.uuid4().hex[:6]}-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _lvm(*argv, check=True):
    env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1")
    return subprocess.run([*argv], env=env, capture_output=True, text=True,
                          check=check, timeout=120)


@pytest.fixture
def loop_vg(workdir):
    """A volume group on a loop device, in LVM's metadata-only mode (this
    kernel has no device-mapper); removed with its PV and loop device
    afterwards. Yields the VG name."""
    no_dm = ("--driverloaded", "n")
    image = os.path.join(workdir, "pv.img")
    with open(image, "wb") as handle:
        handle.truncate(16 << 30)  # sparse: 16 GiB of metadata room
    loop = subprocess.run(["losetup", "-f", "--show", image],
                          capture_output=True, text=True, check=True
                          ).stdout.strip()
    vg = f"nimbus-vg-{uuid.uuid4().hex[:8]}"
    try:
        _lvm("pvcreate", *no_dm, loop)
        _lvm("vgcreate", *no_dm, vg, loop)
        yield vg
    finally:
        _lvm("vgremove", *no_dm, "-y", "-f", vg, check=False)
        _lvm("pvremove", *no_dm, "-y", "-ff", loop, check=False)
        subprocess.run(["losetup", "-d", loop], check=False)


def lvs(vg):
    """``{lv name: size in bytes}`` as ``lvs`` reports them."""
    out = _lvm("lvs", "--driverloaded", "n", "--noheadings", "--units", "b",
               "--nosuffix", "--separator", "|", "-o", "lv_name,lv_size",
               vg).stdout
    rows = {}
    for line in out.splitlines():
        if line.strip():
            name, size = (f.strip() for f in line.split("|"))
            rows[name] = int(size)
    return rows


def free_port():
    from tests.conftest import free_port as shared
    return shared()


class PrivateTgtd:
    """A tgtd of this test alone: its own iSCSI port and control port."""

    def __init__(self):
        self.port = free_port()
        self.control = 2000 + self.port % 8000  # tgtd wants a small one
        while os.path.exists(f"/var/run/tgtd/socket.{self.control}"):
            self.control += 1
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["tgtd", "-f", "-C", str(self.control), "--iscsi",
             f"portal=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket_path = f"/var/run/tgtd/socket.{self.control}"
        for _ in range(100):
            if self.proc.poll() is None and os.path.exists(socket_path):
                return
            time.sleep(0.1)
        raise AssertionError("tgtd did not start")

    def tgtadm(self, *args):
        return subprocess.run(
            ["tgtadm", "-C", str(self.control), "--lld", "iscsi", *args],
            capture_output=True, text=True, timeout=30).stdout

    def stop(self):
        if self.proc is None:
            return
        self.tgtadm("--op", "delete", "--mode", "system")
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        for path in (f"/var/run/tgtd/socket.{self.control}",
                     f"/var/run/tgtd/socket.{self.control}.lock"):
            if os.path.exists(path):
                os.unlink(path)


@pytest.fixture
def tgtd():
    daemon = PrivateTgtd()
    daemon.start()
    yield daemon
    daemon.stop()
