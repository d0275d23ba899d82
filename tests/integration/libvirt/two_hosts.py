"""Two libvirt "hypervisor hosts" on one machine, and a nimbus cloud with
one compute service on each (the recipe of feasibility.md §3(d)).

:class:`LibvirtHost` is a private root ``libvirtd`` in its own mount
namespace: its own ``/etc/libvirt``, ``/run/libvirt``, ``/var/lib/libvirt``,
``/var/cache/libvirt``, ``/var/log/libvirt`` (bind mounts of directories
under the run's work dir), its own ``host_uuid``, a TCP listener on a
loopback address of its own (``127.a.b.c``, random per run, so
concurrent runs never share an address or a migration port) and its own
QEMU migration port range. The system libvirtd is left alone.

Both hosts mount their own ``hosts/<name>/instances`` on the same path,
``<workdir>/instances``: like two real hosts with the same
``[libvirt] instances_path`` and no shared storage, a guest's disk has
the same path on both, and moving it needs a block copy.

:class:`TwoHostCloud` runs conductor, scheduler and API as separate
processes (their own RabbitMQ vhost and PostgreSQL database) and one
``nimbus-compute`` per host entered into that host's namespace with
``nsenter -m``; it drives the cloud with the stock ``openstack`` CLI.

Everything a run makes is named after its prefix and removed by
:meth:`TwoHostCloud.close` (domains, QEMU and libvirtd processes, by
PID, files), even when a test failed. Use it as a context manager::

    with TwoHostCloud(workdir, guest_dir, prefix) as cloud:
        ids = cloud.boot(["vm1"], cloud.register_guest_images())
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests import real
from tests.integration.procs import Deployment, wait_until

BIN = os.path.dirname(sys.executable)
#: the compute service names of the two hosts
HOSTS = ("lvh-a", "lvh-b")
#: VNC ports of each private libvirtd (one per guest it runs at a time).
_DISPLAYS = 16
PASSWORD = "two-hosts-pass"
_BIND = {"etc": "/etc/libvirt", "run": "/run/libvirt",
         "lib": "/var/lib/libvirt", "cache": "/var/cache/libvirt",
         "log": "/var/log/libvirt"}


def _loopback_pair():
    """Two fresh loopback addresses ``127.a.b.1`` and ``127.a.b.2``."""
    raw = uuid.uuid4().bytes
    a, b = 1 + raw[0] % 254, raw[1]
    return f"127.{a}.{b}.1", f"127.{a}.{b}.2"


def _wait_gone(pid, timeout):
    def gone():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    deadline = time.monotonic() + timeout
    while not gone() and time.monotonic() < deadline:
        time.sleep(0.1)
    return gone()


def _system_definitions(directory, names):
    """``copytree``'s ignore: the system daemon's domain and network
    definitions (``/etc/libvirt/qemu/*.xml``, its ``autostart`` links and
    the ``networks`` directory), keeping every configuration file."""
    if Path(directory) != Path("/etc/libvirt/qemu"):
        return []
    return [name for name in names
            if name in ("autostart", "networks") or ".xml" in name]


class LibvirtHost:
    """A private libvirtd in a private mount namespace (see module doc)."""

    def __init__(self, name, root, address, instances_mount, port_base):
        self.name = name
        self.dir = Path(root) / name
        self.address = address
        self.instances_mount = str(instances_mount)
        self.port = None
        self.port_base = port_base
        self.host_uuid = str(uuid.uuid4())
        self.proc = None

    # -- addresses ------------------------------------------------------------

    @property
    def socket(self):
        return str(self.dir / "sock" / "libvirt-sock")

    @property
    def uri(self):
        """The local (unix socket) URI, usable from any namespace."""
        return f"qemu+unix:///system?socket={self.socket}"

    @property
    def tcp_uri(self):
        """The URI peers use for migration (``qemu+tcp``)."""
        return f"qemu+tcp://{self.address}:{self.port}/system"

    @property
    def instances(self):
        """This host's instances directory as the root namespace sees it."""
        return self.dir / "instances"

    @property
    def pid(self):
        return self.proc.pid

    # -- life cycle -------------------------------------------------------------

    def start(self):
        from tests.conftest import free_port, free_port_block
        for sub in (*_BIND, "sock", "instances"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.dir / "etc")
        # The system daemon's configuration, not its guests or networks:
        # other test workers define and undefine domains there while this
        # copies (a vanished ``*.xml.new`` failed a run), and a private
        # host has none of them anyway.
        shutil.copytree("/etc/libvirt", self.dir / "etc", symlinks=True,
                        ignore=_system_definitions)
        self.port = free_port()
        # Its guests' VNC ports: its own, never the system libvirtd's
        # (from 5900) nor another daemon's, which would pick the same
        # free port and lose the race to bind it.
        display = free_port_block(_DISPLAYS)
        (self.dir / "etc" / "libvirtd.conf").write_text(f"""\
listen_tls = 0
listen_tcp = 1
listen_addr = "{self.address}"
tcp_port = "{self.port}"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_dir = "{self.dir / 'sock'}"
host_uuid = "{self.host_uuid}"
""")
        (self.dir / "etc" / "qemu.conf").write_text(f"""\
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
migration_port_min = {self.port_base}
migration_port_max = {self.port_base + 63}
remote_display_port_min = {display}
remote_display_port_max = {display + _DISPLAYS - 1}
""")
        mounts = "\n".join(
            f"mount --bind {self.dir / sub} {target}"
            for sub, target in _BIND.items())
        script = self.dir / "start.sh"
        script.write_text(f"""#!/bin/sh
set -e
mount --make-rprivate /
{mounts}
mount --bind {self.instances} {self.instances_mount}
exec libvirtd -f /etc/libvirt/libvirtd.conf -p {self.dir / 'libvirtd.pid'} \
    --listen
""")
        script.chmod(0o755)
        log = open(self.dir / "libvirtd.log", "ab")
        self.proc = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", str(script)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def up():
            assert self.proc.poll() is None, self.log()
            return subprocess.run(
                ["virsh", "-c", self.uri, "version"], capture_output=True,
                timeout=30).returncode == 0
        wait_until(up, 30, message=f"libvirtd of {self.name}")

    def log(self):
        path = self.dir / "libvirtd.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() \
            else ""

    def virsh(self, *args, check=True):
        """Run virsh against this host's daemon; return stdout."""
        result = subprocess.run(["virsh", "-c", self.uri, *args],
                                capture_output=True, text=True, timeout=180)
        if check:
            assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    def domains(self, prefix=""):
        if self.proc is None or self.proc.poll() is not None:
            return []
        return [n for n in self.virsh("list", "--all", "--name",
                                      check=False).split()
                if n.startswith(prefix)]

    def nsenter(self, *argv):
        """argv run inside this host's mount namespace."""
        return ["nsenter", "-m", "-t", str(self.pid), *argv]

    def _qemu_pids(self):
        """QEMU processes this daemon started: those in its namespace."""
        try:
            mine = os.readlink(f"/proc/{self.pid}/ns/mnt")
        except OSError:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.pid:
                continue
            try:
                if os.readlink(f"/proc/{entry}/ns/mnt") != mine:
                    continue
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"qemu-system" in f.read():
                        pids.append(int(entry))
            except OSError:
                continue
        return pids

    def stop(self):
        """Destroy every guest of this daemon, stop it, reap stragglers."""
        if self.proc is None:
            return
        for name in self.domains():
            self.virsh("destroy", name, check=False)
            self.virsh("undefine", name, "--managed-save", check=False)
        for pid in self._qemu_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        self.proc = None


class TwoHostCloud:
    """nimbus (api, conductor, scheduler) and a compute on each of two
    :class:`LibvirtHost` daemons; see the module doc."""

    def __init__(self, workdir, guest_dir, prefix, compute_extra=None,
                 extra=None):
        self.dir = Path(workdir) / f"two-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir(parents=True)
        os.chmod(self.dir, 0o755)
        self.guest_dir = guest_dir
        self.prefix = f"{prefix}2h-"
        (self.dir / "instances").mkdir()
        addresses = _loopback_pair()
        base = 49152 + (uuid.uuid4().int % 100) * 128
        self.hosts = {
            name: LibvirtHost(name, self.dir / "hosts", addr,
                              self.dir / "instances", base + 64 * i)
            for i, (name, addr) in enumerate(zip(HOSTS, addresses, strict=True))}
        self.compute_extra = compute_extra or {}
        self.extra = extra or {}
        self.dep = None
        self._conn = None
        self._stack = contextlib.ExitStack()

    # -- life cycle -------------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        transport_url, _vhost = self._stack.enter_context(
            real.rabbit_vhost())
        db_url = self._stack.enter_context(real.database("postgresql"))
        extra = {"network": {"create_default_network": "false"},
                 "compute": {"hypervisor": "libvirt"},
                 # nimbus's own identity: the stock CLI finds every
                 # service (images included) in its catalog.
                 "api": {"auth_strategy": "nimbus"},
                 "identity": {"admin_password": PASSWORD,
                              "bcrypt_rounds": 4}}
        for section, values in self.extra.items():
            extra.setdefault(section, {}).update(values)
        self.dep = Deployment(self.dir, transport_url, db_url, extra=extra)
        for host in self.hosts.values():
            host.start()
        self.clouds_yaml = self.dir / "clouds.yaml"
        self.dep.manage("bootstrap", "--admin-password", PASSWORD,
                        "--write-clouds-yaml", str(self.clouds_yaml),
                        "--api-url", self.dep.url, "--no-demo-image")
        self.dep.start("conductor", "nimbus-conductor")
        self.dep.start("scheduler", "nimbus-scheduler")
        for name in HOSTS:
            self.start_compute(name)
        self.dep.start("api", "nimbus-api")
        self.dep.wait_api()
        try:
            self.wait_computes_up()
        except AssertionError as err:
            raise AssertionError(f"{err}\n" + "\n".join(
                f"--- {name}:\n{self.log(name)[-1500:]}"
                for name in (*HOSTS, "conductor"))) from None

    def compute_conf(self, name, extra=None):
        """The config sections of host ``name``'s compute service
        (``extra``: more sections for this start only)."""
        host = self.hosts[name]
        sections = {"libvirt": {
            "virt_type": "qemu", "connection_uri": host.uri,
            "instances_path": str(self.dir / "instances"),
            "domain_name_prefix": self.prefix,
            "soft_reboot_timeout": 30,
            "live_migration_inbound_addr": host.address,
            "live_migration_inbound_uri": host.tcp_uri}}
        for more in (self.compute_extra, extra or {}):
            for section, values in more.items():
                sections.setdefault(section, {}).update(values)
        return sections

    def start_compute(self, name, extra=None):
        """(Re)start host ``name``'s compute inside its namespace."""
        dep, host = self.dep, self.hosts[name]
        conf = dep._conf(name, with_db=False, host=name,
                         extra=self.compute_conf(name, extra))
        log = open(self.dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            host.nsenter(f"{BIN}/nimbus-compute", "--config-file",
                         str(conf)),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        dep.procs[name] = proc
        return proc

    def restart(self, name, extra=None):
        """Start the service ``name`` again after :meth:`kill`;
        ``extra``: config sections for this start only (e.g. ``{"fault_injection":
        {"pause_at": "resize.sent"}}``, see nimbus.core.fault_injection)."""
        if name in self.hosts:
            return self.start_compute(name, extra)
        binary = {"api": "nimbus-api"}.get(name, f"nimbus-{name}")
        return self.dep.start(name, binary, extra=extra)

    def wait_log(self, name, text, timeout=120, since=0):
        """Wait until service ``name``'s log (from offset ``since``)
        holds ``text``; return the log's length then."""
        def seen():
            log = self.dep.log(name)
            return len(log) if text in log[since:] else None
        try:
            return wait_until(seen, timeout, interval=0.2,
                              message=f"{text!r} in the log of {name}")
        except AssertionError as err:
            raise AssertionError(f"{err}\n" + "\n".join(
                f"--- {n}:\n{self.notable_log(n)}"
                for n in ("conductor", *HOSTS))) from None

    def notable_log(self, name, lines=25):
        """The last ``lines`` lines of ``name``'s log above DEBUG."""
        return "\n".join([line for line in self.dep.log(name).splitlines()
                          if " DEBUG " not in line][-lines:])

    def kill(self, name, sig=signal.SIGKILL):
        """Kill service ``name`` (``conductor``, ``scheduler``, ``api`` or
        a host name) by its PID."""
        self.dep.kill(name, sig)

    def close(self):
        try:
            if self.dep is not None:
                self.dep.stop_all()
        finally:
            try:
                for host in self.hosts.values():
                    host.stop()
            finally:
                self._stack.close()
                shutil.rmtree(self.dir, ignore_errors=True)

    def log(self, name):
        return self.dep.log(name)[-4000:]

    def wait_computes_up(self, timeout=90):
        # Polled through openstacksdk: each stock CLI call is a new
        # Python process (~1.5 CPU-s); the tests drive the CLI itself.
        conn = self.sdk()

        def up():
            services = conn.compute.get("/os-services").json()["services"]
            states = {s["host"]: s["state"] for s in services
                      if s["binary"].endswith("-compute")}
            return all(states.get(h) == "up" for h in HOSTS)
        wait_until(up, timeout, interval=0.5, message="both computes up")

        def reported():
            return len(conn.compute.get("/os-hypervisors").json()[
                "hypervisors"]) == 2
        wait_until(reported, timeout, interval=0.5,
                   message="both hypervisors reported")

    # -- clients ------------------------------------------------------------------

    def env(self):
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=str(self.clouds_yaml),
                    OS_CLOUD="nimbus", PYTHONWARNINGS="ignore")

    def run_openstack(self, *args, timeout=300):
        return subprocess.run([f"{BIN}/openstack", *args], env=self.env(),
                              capture_output=True, text=True,
                              timeout=timeout)

    def openstack(self, *args, timeout=300):
        """Run the stock ``openstack`` CLI; return stdout."""
        result = self.run_openstack(*args, timeout=timeout)
        assert result.returncode == 0, (
            args, result.stderr, self.log("conductor")[-1500:],
            self.log(HOSTS[0])[-1500:], self.log(HOSTS[1])[-1500:])
        return result.stdout

    def openstack_fails(self, *args):
        result = self.run_openstack(*args)
        assert result.returncode != 0, (args, result.stdout)
        return result.stderr

    def openstack_json(self, *args):
        return json.loads(self.openstack(*args, "-f", "json"))

    def sdk(self):
        """The openstacksdk connection as the admin of clouds.yaml (one
        for the cloud's life: a new one would ask for a token again)."""
        if self._conn is None:
            import openstack
            from openstack import config as os_config
            config = os_config.OpenStackConfig(
                config_files=[str(self.clouds_yaml)]).get_one(cloud="nimbus")
            self._conn = openstack.connection.Connection(config=config)
        return self._conn

    # -- guests ---------------------------------------------------------------------

    def register_guest_images(self):
        """kernel (aki), ramdisk (ari) and a machine image (ami) naming
        them in the cloud's local image store; returns the ami's id."""
        from oslo_config import cfg

        from nimbus.plugins.images.local import store as local_store
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path",
                                     default=str(self.dep.state_path)))
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
                name=f"2h-{name}", disk_format=fmt, container_format=fmt,
                visibility="public", properties=props))
            with open(os.path.join(self.guest_dir, filename), "rb") as f:
                images.upload(None, record["id"], iter([f.read()]))
            ids[name] = record["id"]
        return ids["guest"]

    def set_compute(self, name, enabled):
        """Enable or disable host ``name``'s compute service (stock CLI)."""
        self.openstack("compute", "service", "set",
                       "--enable" if enabled else "--disable", name,
                       # os-services lists "nova-compute" but updates only
                       # by nimbus's own binary name
                       "nimbus-compute")

    def boot(self, names, image_id, flavor="2h.tiny", host=None):
        """Boot guests (on ``host`` when given: the other compute service
        is disabled meanwhile) and wait until each has booted; return
        ``{name: id}``."""
        if not any(f["Name"] == flavor for f in
                   self.openstack_json("flavor", "list", "--all")):
            self.openstack("flavor", "create", "--ram", "128", "--vcpus",
                           "1", "--disk", "1", flavor)
        others = [h for h in HOSTS if host and h != host]
        for other in others:
            self.set_compute(other, False)
        try:
            ids = {name: self.openstack_json(
                "server", "create", "--image", image_id, "--flavor", flavor,
                "--nic", "none", name)["id"] for name in names}
            for sid in ids.values():
                self.wait_status(sid, "ACTIVE", 180)
        finally:
            for other in others:
                self.set_compute(other, True)
        for sid in ids.values():
            self.wait_console(sid, "NIMBUS-DEV /dev/vda", timeout=240)
        return ids

    def server(self, sid):
        server = self.openstack_json("server", "show", sid)
        assert server["status"] != "ERROR", (server.get("fault"),
                                             self.log("conductor"))
        return server

    def server_status(self, sid):
        """``sid``'s status through openstacksdk (no CLI process: for
        polling); asserts it is not ERROR."""
        server = self.sdk().compute.get(f"/servers/{sid}").json()["server"]
        assert server["status"] != "ERROR", (server.get("fault"),
                                             self.log("conductor"))
        return server

    def wait_status(self, sid, status, timeout=240):
        """Wait until ``sid`` has ``status`` (polled with openstacksdk);
        return ``openstack server show`` then."""
        wait_until(lambda: self.server_status(sid)["status"] == status,
                   timeout, interval=0.5, message=f"{sid} {status}")
        return self.server(sid)

    def host_of(self, sid):
        """The host whose daemon runs ``sid``'s domain (asserts one)."""
        found = [name for name, host in self.hosts.items()
                 if f"{self.prefix}{sid}" in host.domains(self.prefix)]
        assert len(found) == 1, found
        return found[0]

    def console(self, sid):
        return self.sdk().compute.get_server_console_output(sid)["output"]

    def wait_console(self, sid, *texts, timeout=90):
        """Wait for a console line holding every one of ``texts``; return
        the last such line."""
        def seen():
            lines = [line.strip() for line in self.console(sid).splitlines()
                     if all(t in line for t in texts)]
            return lines[-1] if lines else None
        return wait_until(seen, timeout, interval=0.5,
                          message=f"{texts!r} on the console of {sid}")
