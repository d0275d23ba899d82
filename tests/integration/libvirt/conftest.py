"""Fixtures for the libvirt plugin against a real libvirtd (virt_type
qemu, TCG) and the test guest of tools/build-test-guest.sh.

Everything a run creates carries a per-run domain-name prefix and lives
under a per-run directory, and the session finalizer removes both even
when tests fail, so runs never touch other domains on the host.
"""

import dataclasses
import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid as uuidlib

import pytest
from oslo_concurrency import processutils
from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf
from nimbus.plugins.hypervisors.libvirt.driver import LibvirtDriver

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
#: where tools/build-test-guest.sh builds the guest (NIMBUS_GUEST_DIR
#: picks another directory, e.g. to try a changed guest script).
GUEST_DIR = os.environ.get("NIMBUS_GUEST_DIR") or os.path.join(
    REPO, ".cache", "guest")
#: overridable to point the suite at another libvirtd (or, to see it fail
#: loudly, at none).
URI = os.environ.get("NIMBUS_TEST_LIBVIRT_URI", "qemu:///system")
BOOT_MARKER = "NIMBUS-GUEST-BOOTED"


#: the suite's slowest modules, slowest first (wall times of
#: docs/benchmarks.md, "libvirt suite"). tools/run-tests.sh runs the suite
#: with ``--dist loadfile --no-loadscope-reorder``: each worker takes the
#: next module in collection order when it finishes one, so a long module
#: that starts last keeps one worker busy while the other idles.
SLOWEST_FIRST = (
    "test_volumes.py", "test_move_crashes.py", "test_cold_moves.py",
    "test_network_e2e.py", "test_image_workflows.py",
    "test_live_migration.py", "test_evacuate.py", "test_volume_extend.py",
    "test_two_hosts.py", "test_api.py", "test_guest.py")


def pytest_collection_modifyitems(items):
    """This directory's modules in :data:`SLOWEST_FIRST` order, the rest
    after them as collected (a module's tests stay together and in
    order); items of other directories keep their places."""
    here = os.path.dirname(os.path.abspath(__file__))
    places = [k for k, item in enumerate(items)
              if os.path.dirname(str(item.path)) == here]
    rank = {name: k for k, name in enumerate(SLOWEST_FIRST)}
    mine = sorted((items[k] for k in places),
                  key=lambda item: rank.get(item.path.name, len(rank)))
    for k, item in zip(places, mine, strict=True):
        items[k] = item


def virsh(*args, check=True):
    """Run virsh against the system libvirtd; return stdout."""
    out, _err = processutils.execute(
        "virsh", "-c", URI, *args, check_exit_code=[0] if check else False)
    return out


def wait_for(predicate, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclasses.dataclass
class LibvirtEnv:
    """One test run's prefix, directory, guest image and driver factory."""

    prefix: str
    workdir: str
    guest_dir: str

    @property
    def instances_path(self):
        return os.path.join(self.workdir, "instances")

    def conf(self, **overrides):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default=self.workdir))
        libvirt_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        settings = {"virt_type": "qemu", "connection_uri": URI,
                    "instances_path": self.instances_path,
                    "domain_name_prefix": self.prefix,
                    "soft_reboot_timeout": 30}
        settings.update(overrides)
        for name, value in settings.items():
            conf.set_override(name, value, group="libvirt")
        return conf

    def driver(self, **overrides):
        """Return a connected LibvirtDriver (call cleanup_host after)."""
        driver = LibvirtDriver(self.conf(**overrides), "itest-host")
        driver.init_host()
        return driver

    def spec(self, uuid=None):
        """A bootable guest: direct kernel boot, the 16 MiB raw disk."""
        uuid = uuid or str(uuidlib.uuid4())
        path = os.path.join(self.guest_dir, "{}")
        image = hv.ImageSpec(
            id="itest-disk", disk_format="raw", path=path.format("disk.raw"),
            properties={"kernel_id": "itest-kernel",
                        "ramdisk_id": "itest-ramdisk",
                        "os_command_line": "quiet no_timer_check"},
            kernel=hv.ImageSpec(id="itest-kernel", disk_format="aki",
                                path=path.format("vmlinuz")),
            ramdisk=hv.ImageSpec(id="itest-ramdisk", disk_format="ari",
                                 path=path.format("initrd.img")))
        return hv.GuestSpec(uuid=uuid, name=f"itest-{uuid[:8]}", vcpus=1,
                            memory_mb=128, image=image)

    def domain_name(self, uuid):
        return f"{self.prefix}{uuid}"

    def own_domains(self):
        names = virsh("list", "--all", "--name").split()
        return [n for n in names if n.startswith(self.prefix)]

    virsh = staticmethod(virsh)
    wait_for = staticmethod(wait_for)

    @staticmethod
    def console_count(driver, uuid, text):
        try:
            return driver.get_console_output(uuid).count(text)
        except exception.HypervisorInstanceNotFound:
            return 0

    def wait_console(self, driver, uuid, text, count=1, timeout=60.0):
        """Wait until ``text`` shows ``count`` times on the console."""
        ok = wait_for(
            lambda: self.console_count(driver, uuid, text) >= count,
            timeout)
        assert ok, (f"{text!r} x{count} not on the console of {uuid}:\n"
                    + driver.get_console_output(uuid)[-2000:])

    def domstate(self, uuid):
        return virsh("domstate", self.domain_name(uuid)).strip()

    def domid(self, uuid):
        return virsh("domid", self.domain_name(uuid)).strip()


def _check_libvirtd():
    try:
        virsh("version")
    except (processutils.ProcessExecutionError, OSError) as err:
        pytest.fail(f"libvirtd is not reachable at {URI} (start it with "
                    f"'virtlogd -d; libvirtd -d'): {err}", pytrace=False)


def _remove_run(env):
    for name in env.own_domains():
        virsh("destroy", name, check=False)
        virsh("undefine", name, "--managed-save", "--nvram", check=False)
    # libvirt's own per-domain QEMU logs outlive the domains.
    for log in glob.glob(f"/var/log/libvirt/qemu/{env.prefix}*.log"):
        os.unlink(log)
    shutil.rmtree(env.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def libvirt_env():
    """The run's environment; removes its domains and files at the end."""
    _check_libvirtd()
    subprocess.run([os.path.join(REPO, "tools", "build-test-guest.sh"),
                    GUEST_DIR], check=True)
    # QEMU runs as libvirt-qemu: the run directory must be traversable.
    workdir = tempfile.mkdtemp(prefix="nimbus-libvirt-it-")
    os.chmod(workdir, 0o755)
    env = LibvirtEnv(prefix=f"nimbus-it{uuidlib.uuid4().hex[:6]}-",
                     workdir=workdir, guest_dir=GUEST_DIR)
    try:
        yield env
    finally:
        _remove_run(env)


@pytest.fixture
def driver(libvirt_env):
    """A driver; the guests the test made are destroyed after it (only
    those: other fixtures' guests share the run's prefix)."""
    drv = libvirt_env.driver()
    before = set(drv.list_instances())
    yield drv
    try:
        for uuid in set(drv.list_instances()) - before:
            drv.destroy(None, uuid)
    finally:
        drv.cleanup_host()


@dataclasses.dataclass
class ISCSITarget:
    """A tgtd target with one CHAP-protected LUN, on loopback."""

    portal: str
    iqn: str
    user: str
    password: str
    lun: int = 1


def _free_port():
    from tests.conftest import free_port as shared
    return shared()


@pytest.fixture
def iscsi_target(libvirt_env):
    """Run a private tgtd (own portal port and control port) serving a
    16 MiB LUN with CHAP; stop it by PID afterwards."""
    port = _free_port()
    control = 2000 + port % 8000  # tgtd wants a small control port
    while os.path.exists(f"/var/run/tgtd/socket.{control}"):
        control += 1
    tgtd = subprocess.Popen(
        ["tgtd", "-f", "-C", str(control), "--iscsi",
         f"portal=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def tgtadm(*args, check=True):
        return processutils.execute(
            "tgtadm", "-C", str(control), "--lld", "iscsi", *args,
            check_exit_code=[0] if check else False)[0]

    target = ISCSITarget(
        portal=f"127.0.0.1:{port}",
        iqn=f"iqn.2010-10.org.nimbus:it-{uuidlib.uuid4().hex[:8]}",
        user="nimbususer", password=uuidlib.uuid4().hex)
    lun_file = os.path.join(libvirt_env.workdir, f"lun-{port}.img")
    try:
        assert wait_for(lambda: tgtd.poll() is None and os.path.exists(
            f"/var/run/tgtd/socket.{control}"), 10), "tgtd did not start"
        with open(lun_file, "wb") as f:
            f.truncate(16 * 1024 * 1024)
        tgtadm("--op", "new", "--mode", "target", "--tid", "1",
               "-T", target.iqn)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1",
               "--lun", "1", "--backing-store", lun_file)
        tgtadm("--op", "bind", "--mode", "target", "--tid", "1",
               "--initiator-address", "127.0.0.1")
        tgtadm("--op", "new", "--mode", "account", "--user", target.user,
               "--password", target.password)
        tgtadm("--op", "bind", "--mode", "account", "--tid", "1",
               "--user", target.user)
        yield target
    finally:
        tgtadm("--op", "delete", "--mode", "target", "--tid", "1",
               "--force", check=False)
        tgtadm("--op", "delete", "--mode", "system", check=False)
        tgtd.terminate()
        try:
            tgtd.wait(10)
        except subprocess.TimeoutExpired:
            tgtd.kill()
            tgtd.wait()
        for path in (lun_file, f"/var/run/tgtd/socket.{control}",
                     f"/var/run/tgtd/socket.{control}.lock"):
            if os.path.exists(path):
                os.unlink(path)
