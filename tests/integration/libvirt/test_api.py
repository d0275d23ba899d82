"""The libvirt plugin through the whole stack: nimbus-all with
``[compute] hypervisor = libvirt`` (virt_type qemu) driven with
openstacksdk, checked against the real libvirt domain."""

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from openstack import exceptions as sdk_exc
from oslo_config import cfg

from nimbus.plugins.images.local import store as local_store
from tests import rfb_client
from tests.conftest import free_port, noauth_sdk
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real
BIN = os.path.dirname(sys.executable)
HOST = "lv-1"
#: seconds a console URL works in these deployments.
CONSOLE_TTL = 10


class Nimbus:
    """A nimbus-all process with the libvirt plugin, restartable."""

    def __init__(self, env):
        self.env = env
        self.dir = os.path.join(env.workdir, f"api-{uuid.uuid4().hex[:6]}")
        os.makedirs(self.dir, mode=0o755)
        self.port = free_port()
        self.ec2_port = free_port()
        self.prefix = f"{env.prefix}api-"
        self.conf = os.path.join(self.dir, "nimbus.conf")
        with open(self.conf, "w") as f:
            f.write(f"""[DEFAULT]
state_path = {self.dir}/state
host = ctl
report_interval = 1
[api]
bind_port = {self.port}
auth_strategy = noauth2
[all]
compute_hosts = {HOST}
[compute]
hypervisor = libvirt
sync_power_state_interval = 2
[libvirt]
virt_type = qemu
instances_path = {self.dir}/instances
domain_name_prefix = {self.prefix}
soft_reboot_timeout = 60
[ec2]
bind_port = {self.ec2_port}
[network]
metadata_port = {free_port()}
# The fake network plugin makes no bridges: with a real hypervisor its
# VIFs would name one that does not exist. Real networks are
# test_network_e2e*.py's.
create_default_network = false
# Console URLs handed out at the start of the lifecycle test have
# expired by its end (it checks that the proxy refuses them then).
[consoleauth]
token_ttl = {CONSOLE_TTL}
[quota]
instances = -1
cores = -1
ram = -1
""")
        self.proc = None

    def start(self):
        log = open(os.path.join(self.dir, "all.log"), "ab")
        self.proc = subprocess.Popen(
            [f"{BIN}/nimbus-all", "--config-file", self.conf],
            stdout=log, stderr=subprocess.STDOUT)
        import requests

        def up():
            assert self.proc.poll() is None, self.log()
            try:
                return requests.get(self.url + "/", timeout=2).ok
            except requests.RequestException:
                return False
        wait_until(up, 60, message="nimbus-all with libvirt")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def log(self):
        with open(os.path.join(self.dir, "all.log"), errors="replace") as f:
            return f.read()[-4000:]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def sdk(self, token="admin:admin"):
        return noauth_sdk(self.url, token)

    def register_guest_images(self):
        """kernel (aki), ramdisk (ari) and a machine image (ami) naming
        them: the EC2 style that boots by direct kernel boot."""
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path",
                                     default=f"{self.dir}/state"))
        conf([], default_config_files=[])
        images = local_store.LocalImages(conf)
        ids = {}
        for name, fmt, filename, props in (
                ("kernel", "aki", "vmlinuz", {}),
                ("ramdisk", "ari", "initrd.img", {}),
                ("guest", "ami", "disk.raw", None)):
            if props is None:
                props = {"kernel_id": ids["kernel"],
                         "ramdisk_id": ids["ramdisk"],
                         "os_command_line": "quiet"}
            record = images.create(None, dict(
                name=f"test-{name}", disk_format=fmt,
                container_format=fmt, properties=props))
            with open(os.path.join(self.env.guest_dir, filename), "rb") as f:
                images.upload(None, record["id"], iter([f.read()]))
            ids[name] = record["id"]
        return ids["guest"]

    def domstate(self, server_id):
        return self.env.virsh("domstate",
                              f"{self.prefix}{server_id}").strip()


@pytest.fixture
def nimbus(libvirt_env):
    deployment = Nimbus(libvirt_env)
    deployment.start()
    try:
        yield deployment
    finally:
        deployment.stop()
        for name in libvirt_env.own_domains():
            if name.startswith(deployment.prefix):
                libvirt_env.virsh("destroy", name, check=False)
                libvirt_env.virsh("undefine", name, "--managed-save",
                                  check=False)
        shutil.rmtree(deployment.dir, ignore_errors=True)


def _status(conn, server_id, want, timeout=90):
    def check():
        server = conn.compute.get_server(server_id)
        assert server.status != "ERROR", server.fault
        return server if server.status == want else None
    return wait_until(check, timeout, interval=0.3,
                      message=f"{server_id} {want}")


def _console(conn, server_id, text, count=1, timeout=90):
    def check():
        out = conn.compute.get_server_console_output(server_id)["output"]
        return out.count(text) >= count
    wait_until(check, timeout, interval=0.5,
               message=f"{text!r} x{count} on the console")


def _vnc_banner(conn, server_id):
    """Get a noVNC URL through the API and read the real guest's RFB
    banner through nimbus-novncproxy; return the URL."""
    url = conn.compute.create_server_remote_console(
        server_id, protocol="vnc", type="novnc").url
    path, address = rfb_client.websocket_path(url)
    assert rfb_client.read_banner(address, path).startswith(b"RFB 003.")
    return url


def _vnc_refused(url, path):
    """The proxy of ``url`` refuses the websocket ``path`` (403)."""
    _, address = rfb_client.websocket_path(url)
    with pytest.raises(rfb_client.Refused) as refused:
        rfb_client.read_banner(address, path)
    assert refused.value.status == 403


def _boot(conn, image_id, flavor_id, name="lv"):
    # No network here (see the config above): no NIC, as Nova's "none".
    return conn.compute.create_server(name=name, image_id=image_id,
                                      flavor_id=flavor_id,
                                      networks="none").id


def test_lifecycle_through_the_api(nimbus):
    image = nimbus.register_guest_images()
    conn = nimbus.sdk()
    flavor = conn.compute.create_flavor(name="lv.small", ram=160, vcpus=1,
                                        disk=1, id="lv-small")
    sid = _boot(conn, image, flavor.id)
    _status(conn, sid, "ACTIVE")
    _console(conn, sid, "NIMBUS-GUEST-BOOTED")
    assert nimbus.domstate(sid) == "running"
    log = subprocess.run([f"{BIN}/nimbus", "--os-cloud", "nimbus",
                          "console", "log", sid],
                         env=dict(os.environ, OS_CLIENT_CONFIG_FILE=(
                             f"{nimbus.dir}/state/clouds.yaml")),
                         capture_output=True, text=True, timeout=60)
    assert "NIMBUS-GUEST-BOOTED" in log.stdout, log.stderr
    # Diagnostics of the real domain through the API (2.48, admin).
    diags = conn.compute.get_server_diagnostics(sid)
    assert (diags.state, diags.driver, diags.num_cpus, diags.num_disks) \
        == ("running", "libvirt", 1, len(diags.disk_details))
    assert diags.memory_details["maximum"] == 160
    assert diags.cpu_details[0]["time"] > 0
    assert max(d["read_bytes"] for d in diags.disk_details) > 0
    # The guest's own VNC server (QEMU's) through the console proxy.
    first_console = _vnc_banner(conn, sid)
    issued = time.monotonic()
    _vnc_refused(first_console, "/?token=garbage")

    conn.compute.stop_server(sid)
    _status(conn, sid, "SHUTOFF")
    assert nimbus.domstate(sid) == "shut off"
    with pytest.raises(sdk_exc.ConflictException, match="power_state"):
        conn.compute.get_server_diagnostics(sid)
    conn.compute.start_server(sid)
    _status(conn, sid, "ACTIVE")
    assert nimbus.domstate(sid) == "running"
    _console(conn, sid, "NIMBUS-GUEST-BOOTED")

    conn.compute.reboot_server(sid, "HARD")
    _status(conn, sid, "ACTIVE")
    _console(conn, sid, "NIMBUS-GUEST-BOOTED", count=2)
    conn.compute.reboot_server(sid, "SOFT")
    _status(conn, sid, "ACTIVE")
    _console(conn, sid, "NIMBUS-GUEST-BOOTED", count=3)
    assert nimbus.domstate(sid) == "running"

    conn.compute.pause_server(sid)
    _status(conn, sid, "PAUSED")
    assert nimbus.domstate(sid) == "paused"
    conn.compute.unpause_server(sid)
    _status(conn, sid, "ACTIVE")
    assert nimbus.domstate(sid) == "running"

    conn.compute.suspend_server(sid)
    _status(conn, sid, "SUSPENDED")
    assert nimbus.domstate(sid) == "shut off"
    conn.compute.resume_server(sid)
    _status(conn, sid, "ACTIVE")
    assert nimbus.domstate(sid) == "running"

    # Restart nimbus while the guest runs: it keeps running, state holds.
    nimbus.stop()
    assert nimbus.domstate(sid) == "running"
    nimbus.start()
    conn = nimbus.sdk()
    server = _status(conn, sid, "ACTIVE")
    assert server.power_state == 1
    # Consoles work after the restart; the first URL's token expired.
    url = _vnc_banner(conn, sid)
    time.sleep(max(0.0, CONSOLE_TTL + 1 - (time.monotonic() - issued)))
    _vnc_refused(url, rfb_client.websocket_path(first_console)[0])

    # A guest destroyed behind nimbus's back is noticed and synced.
    nimbus.env.virsh("destroy", f"{nimbus.prefix}{sid}")
    server = _status(conn, sid, "SHUTOFF", timeout=30)
    assert server.power_state == 4

    # The server as last read: a read after the delete may find it gone.
    conn.compute.delete_server(sid)
    conn.compute.wait_for_delete(server, wait=60)
    assert f"{nimbus.prefix}{sid}" not in nimbus.env.own_domains()
    assert not os.path.exists(f"{nimbus.dir}/instances/{sid}")


def test_four_guests_boot_at_once(nimbus):
    image = nimbus.register_guest_images()
    conn = nimbus.sdk()
    flavor = conn.compute.create_flavor(name="lv.tiny", ram=128, vcpus=1,
                                        disk=1, id="lv-tiny")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: _boot(conn, image, flavor.id,
                                            f"four-{i}"), range(4)))
    for sid in ids:
        _status(conn, sid, "ACTIVE", timeout=120)
    for sid in ids:
        _console(conn, sid, "NIMBUS-GUEST-BOOTED", timeout=120)
        assert nimbus.domstate(sid) == "running"
    for sid in ids:
        conn.compute.delete_server(sid)
    wait_until(lambda: not list(conn.compute.servers()), 90,
               message="guests deleted")
    assert not [n for n in nimbus.env.own_domains()
                if n.startswith(nimbus.prefix)]
