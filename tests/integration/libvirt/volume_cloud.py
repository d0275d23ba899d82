"""A nimbus-all process with real guests and real volumes, driven with
the stock ``openstack`` CLI: the libvirt plugin (QEMU TCG), the ``file``
volume plugin, the ``tgt`` target (iSCSI with CHAP) on a private tgtd
(its own control port and portal, stopped by PID), nimbus's own
identity (password auth, so the CLI finds the Block Storage dialect in
the catalog).

Used by the volume integration tests and by
``benchmarks/volume_attach.py``.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import requests
from oslo_config import cfg

from nimbus.plugins.images.local import store as local_store

BIN = os.path.dirname(sys.executable)
HOST = "lv-vol"
PASSWORD = "vol-test-pass"


def free_port():
    from tests.conftest import free_port as shared
    return shared()


def wait_until(predicate, timeout, interval=0.3, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


class Tgtd:
    """A private tgtd: own control port and iSCSI portal on loopback."""

    def __init__(self):
        self.port = free_port()
        self.control = 2000 + self.port % 8000
        while os.path.exists(f"/var/run/tgtd/socket.{self.control}"):
            self.control += 1
        self.proc = None

    @property
    def portal(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(
            ["tgtd", "-f", "-C", str(self.control), "--iscsi",
             f"portal={self.portal}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.proc.poll() is None and os.path.exists(
            f"/var/run/tgtd/socket.{self.control}"), 10, message="tgtd")

    def targets(self):
        out = subprocess.run(
            ["tgtadm", "-C", str(self.control), "--lld", "iscsi", "--op",
             "show", "--mode", "target"], capture_output=True, text=True,
            timeout=30)
        return out.stdout

    def stop(self):
        if self.proc is None:
            return
        subprocess.run(["tgtadm", "-C", str(self.control), "--lld", "iscsi",
                        "--op", "delete", "--mode", "system"],
                       capture_output=True, timeout=30)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for path in (f"/var/run/tgtd/socket.{self.control}",
                     f"/var/run/tgtd/socket.{self.control}.lock"):
            if os.path.exists(path):
                os.unlink(path)


class VolumeCloud:
    """nimbus-all (libvirt, file volumes exported by tgt) in a process."""

    def __init__(self, workdir, guest_dir, prefix, tgtd, target="tgt"):
        """:param target: the volume target: ``tgt`` (over ``tgtd``) or
        ``local`` (the compute opens the volume's file; ``tgtd`` None)."""
        self.dir = os.path.join(workdir, f"vol-{uuid.uuid4().hex[:6]}")
        os.makedirs(self.dir, mode=0o755)
        self.guest_dir = guest_dir
        self.prefix = f"{prefix}vol-"
        self.tgtd = tgtd
        self.port = free_port()
        self.ec2_port = free_port()
        self.conf = os.path.join(self.dir, "nimbus.conf")
        self.volumes_dir = os.path.join(self.dir, "volumes")
        with open(self.conf, "w") as f:
            f.write(f"""[DEFAULT]
state_path = {self.dir}/state
host = {HOST}
report_interval = 1
[api]
bind_port = {self.port}
auth_strategy = nimbus
[identity]
admin_password = {PASSWORD}
bcrypt_rounds = 4
[all]
compute_hosts = {HOST}
[compute]
hypervisor = libvirt
sync_power_state_interval = 5
[libvirt]
virt_type = qemu
instances_path = {self.dir}/instances
domain_name_prefix = {self.prefix}
[volume]
driver = file
target = {target}
capacity_report_interval = 2
[volume_file]
directory = {self.volumes_dir}
total_gb = 50
{self._tgt_section(tgtd)}[ec2]
bind_port = {self.ec2_port}
[network]
metadata_port = {free_port()}
# The fake network plugin makes no bridges; these guests need none.
create_default_network = false
[quota]
instances = -1
cores = -1
ram = -1
""")
        self.proc = None
        self._conn = None

    @staticmethod
    def _tgt_section(tgtd):
        if tgtd is None:
            return ""
        return f"""[volume_tgt]
control_port = {tgtd.control}
portal_address = 127.0.0.1
portal_port = {tgtd.port}
chap = true
"""

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def clouds_yaml(self):
        return os.path.join(self.dir, "state", "clouds.yaml")

    def start(self):
        log = open(os.path.join(self.dir, "all.log"), "ab")
        self.proc = subprocess.Popen(
            [f"{BIN}/nimbus-all", "--config-file", self.conf],
            stdout=log, stderr=subprocess.STDOUT)

        def up():
            assert self.proc.poll() is None, self.log()
            try:
                return requests.get(self.url + "/", timeout=2).ok and \
                    os.path.exists(self.clouds_yaml)
            except requests.RequestException:
                return False
        wait_until(up, 90, message="nimbus-all with libvirt and volumes")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self, virsh):
        """Remove this cloud's domains and files (after :meth:`stop`)."""
        for name in virsh("list", "--all", "--name").split():
            if name.startswith(self.prefix):
                virsh("destroy", name, check=False)
                virsh("undefine", name, "--managed-save", check=False)
        for log in glob.glob(f"/var/log/libvirt/qemu/{self.prefix}*.log"):
            os.unlink(log)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        with open(os.path.join(self.dir, "all.log"), errors="replace") as f:
            return f.read()[-6000:]

    # -- clients ------------------------------------------------------------

    def env(self):
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_yaml,
                    OS_CLOUD="nimbus", PYTHONWARNINGS="ignore")

    def openstack(self, *args):
        """Run the stock ``openstack`` CLI; return stdout."""
        result = subprocess.run([f"{BIN}/openstack", *args], env=self.env(),
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, (args, result.stderr,
                                        self.log()[-2000:])
        return result.stdout

    def openstack_fails(self, *args):
        """Run a CLI command that must fail; return its error output."""
        result = subprocess.run([f"{BIN}/openstack", *args], env=self.env(),
                                capture_output=True, text=True, timeout=180)
        assert result.returncode != 0, (args, result.stdout)
        return result.stderr

    def openstack_json(self, *args):
        return json.loads(self.openstack(*args, "-f", "json"))

    def sdk(self):
        """The openstacksdk connection as the admin of clouds.yaml (one
        for the deployment's life: a new one would ask for a token
        again)."""
        if self._conn is None:
            import openstack
            from openstack import config as os_config
            config = os_config.OpenStackConfig(
                config_files=[self.clouds_yaml]).get_one(cloud="nimbus")
            self._conn = openstack.connection.Connection(config=config)
        return self._conn

    # -- guests ---------------------------------------------------------------

    def register_guest_images(self):
        """kernel (aki), ramdisk (ari) and a machine image (ami) naming
        them, written straight into the local image store."""
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path",
                                     default=f"{self.dir}/state"))
        conf([], default_config_files=[])
        images = local_store.LocalImages(conf)
        ids = {}
        for name, fmt, filename in (("kernel", "aki", "vmlinuz"),
                                    ("ramdisk", "ari", "initrd.img"),
                                    ("guest", "ami", "disk.raw")):
            props = {} if name != "guest" else {
                "kernel_id": ids["kernel"], "ramdisk_id": ids["ramdisk"],
                "os_command_line": "quiet"}
            record = images.create(None, dict(
                name=f"vol-{name}", disk_format=fmt, container_format=fmt,
                visibility="public", properties=props))
            with open(os.path.join(self.guest_dir, filename), "rb") as f:
                images.upload(None, record["id"], iter([f.read()]))
            ids[name] = record["id"]
        return ids["guest"]

    def register_marked_image(self, guest_image_id, name, mark):
        """A copy of the guest machine image whose first sector holds
        ``mark`` (a line a booted guest prints as ``NIMBUS-READ`` when it
        finds it on a disk), booting with the same kernel and ramdisk."""
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path",
                                     default=f"{self.dir}/state"))
        conf([], default_config_files=[])
        images = local_store.LocalImages(conf)
        props = images.get(None, guest_image_id)["properties"]
        record = images.create(None, dict(
            name=name, disk_format="ami", container_format="ami",
            visibility="public", properties=dict(props)))
        with open(os.path.join(self.guest_dir, "disk.raw"), "rb") as f:
            data = bytearray(f.read())
        data[:512] = (mark + "\n").encode().ljust(512, b"\0")
        images.upload(None, record["id"], iter([bytes(data)]))
        return record["id"]

    def boot(self, names, image_id):
        """Boot guests and wait until each has booted; return their ids."""
        self.openstack("flavor", "create", "--ram", "128", "--vcpus", "1",
                       "--disk", "1", "vol.tiny")
        ids = {}
        for name in names:
            ids[name] = self.openstack_json(
                "server", "create", "--image", image_id, "--flavor",
                "vol.tiny", "--nic", "none", name)["id"]
        for name, sid in ids.items():
            wait_until(lambda s=sid: self.server_status(s) == "ACTIVE", 120,
                       message=f"{name} ACTIVE")
            self.wait_console(sid, "NIMBUS-DEV /dev/vda", timeout=240)
        return ids

    def server_status(self, sid):
        status = self.sdk().compute.get_server(sid).status
        assert status != "ERROR", self.log()[-3000:]
        return status

    def console(self, sid):
        return self.sdk().compute.get_server_console_output(sid)["output"]

    def wait_console(self, sid, *texts, timeout=90):
        """Wait for a console line holding every one of ``texts``; return
        the last such line."""
        def seen():
            lines = [line.strip() for line in self.console(sid).splitlines()
                     if all(t in line for t in texts)]
            return lines[-1] if lines else None
        try:
            return wait_until(seen, timeout, interval=0.5,
                              message=f"{texts!r} on the console of {sid}")
        except AssertionError as err:
            tail = "\n".join(self.console(sid).splitlines()[-15:])
            raise AssertionError(f"{err}; the console ends:\n{tail}") \
                from None

    def volume(self, name_or_id):
        return self.openstack_json("volume", "show", name_or_id)

    def wait_volume(self, name_or_id, status, timeout=90):
        """Wait until the volume has ``status``; return ``openstack
        volume show`` then. Polled with openstacksdk after the first
        look: each CLI call is a new Python process (~1.5 CPU-s)."""
        def check(volume):
            assert not volume["status"].startswith("error"), (
                volume, self.log()[-3000:])
            return volume["status"] == status
        volume = self.volume(name_or_id)
        if check(volume):
            return volume
        path = f"/volumes/{volume['id']}"
        wait_until(lambda: check(self.sdk().block_storage.get(path).json()[
            "volume"]), timeout, message=f"volume {name_or_id} {status}")
        volume = self.volume(name_or_id)
        assert check(volume), volume
        return volume
