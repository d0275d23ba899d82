"""Topology and helpers for the network plugins' real-packet tests.

A :class:`Topology` is one test module's private world: an OVS
integration bridge, an external bridge with an "outside" namespace on it,
the plugin's gateway namespace, a metadata HTTP server on loopback that
answers by TCP peer address (as nimbus's metadata service does) and
doubles as a command channel into the guests, and the guests. Every name
carries a random suffix; :meth:`Topology.close` removes everything, and
runs even when a test fails.
"""

import dataclasses
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid as uuidlib

from oslo_config import cfg

from nimbus.core import privileged
from nimbus.core.interfaces import network as net_if
from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf
from nimbus.plugins.networks.linux import conf as linux_conf
from nimbus.plugins.networks.linux import driver as linux_driver

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.join(REPO, "tools", "build-test-guest.sh")


def guest_dir():
    """The test guest built from exactly this checkout's script (its own
    directory per script version, so other checkouts sharing the cache
    never swap a guest without the network part in)."""
    with open(BUILD, "rb") as f:
        digest = hashlib.sha1(f.read()).hexdigest()[:10]
    path = os.path.join(REPO, ".cache", f"guest-{digest}")
    subprocess.run([BUILD, path], check=True, capture_output=True)
    return path


def sh(*argv, check=True, timeout=30):
    return subprocess.run(argv, check=check, capture_output=True, text=True,
                          timeout=timeout)


#: the user data of test guests: serve two TCP ports, then run the
#: commands the metadata server queues for this guest, one by one, with
#: their output between markers on the console.
COMMAND_LOOP = """#!/bin/sh
ip link set lo up
mkdir -p /www && echo nimbus-guest > /www/index.html
httpd -p 8080 -h /www
httpd -p 8081 -h /www
echo NIMBUS-UD-READY
n=0
while true; do
    rm -f /tmp/cmd
    if timeout 5 wget -q -O /tmp/cmd "http://169.254.169.254/nimbus-test/cmd/$n" \\
        2>/dev/null && [ -s /tmp/cmd ]; then
        echo "NIMBUS-CMD-BEGIN n=$n"
        sh /tmp/cmd 2>&1
        echo "NIMBUS-CMD-END n=$n rc=$?"
        n=$((n + 1))
    fi
    sleep 1
done
"""


class MetadataServer:
    """HTTP on 127.0.0.1 answering by the TCP peer address: the EC2 paths
    for instance-id and user-data, and ``/nimbus-test/cmd/<n>``."""

    def __init__(self):
        self.instances = {}   # fixed IP -> (instance id, user data)
        self.commands = {}    # fixed IP -> [command, ...]
        self.peers = []       # (peer, path) of every request
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                peer = self.client_address[0]
                server.peers.append((peer, self.path))
                body = server.answer(peer, self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def answer(self, peer, path):
        if peer not in self.instances:
            return None
        instance_id, user_data = self.instances[peer]
        path = urllib.parse.urlparse(path).path
        if path == "/latest/meta-data/instance-id":
            return instance_id
        if path == "/latest/user-data":
            return user_data
        if path.startswith("/nimbus-test/cmd/"):
            n = int(path.rsplit("/", 1)[1])
            queue = self.commands.get(peer, [])
            return queue[n] if n < len(queue) else ""
        return None

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclasses.dataclass
class Guest:
    uuid: str
    ip: str
    mac: str
    port: net_if.PortSpec
    network: net_if.NetworkSpec
    driver: object   # the libvirt driver
    plugin: object   # the network plugin serving its host side
    booted_at: float = 0.0


class Topology:
    """One module's networks and guests (see the module doc)."""

    def __init__(self, env, backend="ovs", plugin_cls=None):
        self.env = env
        self.suffix = uuidlib.uuid4().hex[:6]
        self.backend = backend
        self.workdir = os.path.join(env.workdir, f"net-{self.suffix}")
        os.makedirs(self.workdir)
        octet = 16 + int(self.suffix[:2], 16) % 15
        self.ext_prefix = f"172.{octet}.{int(self.suffix[2:4], 16)}"
        self.outside_ns = f"nto{self.suffix}"
        self.metadata = MetadataServer()
        self.guests = []
        self.networks = []
        self.floating = []
        self.conf = self._conf()
        cls = plugin_cls or linux_driver.VlanNetwork
        privileged.start()
        self.plugin = cls(self.conf, "itest-host")
        self.plugin.init_host()
        self.opts = self.conf.linux_net

    def _conf(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default=self.workdir))
        libvirt_conf.register_opts(conf)
        linux_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        s = self.suffix
        for name, value in {
                "l2_backend": self.backend,
                "integration_bridge": f"nbi{s}",
                "gateway_namespace": f"ngw{s}",
                "external_bridge": f"nbx{s}",
                "external_address": f"{self.ext_prefix}.2/24",
                "chain_prefix": f"nt{s}",
                "dhcp_dir": os.path.join(self.workdir, "dhcp")}.items():
            conf.set_override(name, value, group="linux_net")
        return conf

    # -- the world outside -----------------------------------------------------

    def make_outside(self):
        """The "outside" namespace at ``<ext>.1`` on the external bridge."""
        ns, out, inn = self.outside_ns, f"nxo{self.suffix}", \
            f"nxi{self.suffix}"
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", out, "type", "veth", "peer", "name", inn,
           "netns", ns)
        bridge = self.opts.external_bridge
        if self.backend == "ovs":
            sh("ovs-vsctl", "--may-exist", "add-br", bridge, "--", "set",
               "Bridge", bridge, "datapath_type=netdev")
            sh("ovs-vsctl", "--may-exist", "add-port", bridge, out)
        else:
            sh("ip", "link", "add", bridge, "type", "bridge")
            sh("ip", "link", "set", out, "master", bridge)
        sh("ip", "link", "set", bridge, "up")
        sh("ip", "link", "set", out, "up")
        self.in_outside("ip", "addr", "add", f"{self.ext_prefix}.1/24",
                        "dev", inn)
        self.in_outside("ip", "link", "set", inn, "up")
        self.in_outside("ip", "link", "set", "lo", "up")
        # The namespace fills its own checksums (the userspace datapath
        # passes half-done ones on), as the gateway does.
        self.in_outside("iptables", "-t", "mangle", "-A", "POSTROUTING",
                        "-j", "CHECKSUM", "--checksum-fill")

    def in_outside(self, *argv, check=True, timeout=30):
        return sh("ip", "netns", "exec", self.outside_ns, *argv, check=check,
                  timeout=timeout)

    def outside_http_server(self):
        return OutsideServer(self)

    def in_gateway(self, *argv, check=True, timeout=30):
        return sh("ip", "netns", "exec", self.opts.gateway_namespace, *argv,
                  check=check, timeout=timeout)

    # -- networks and guests -----------------------------------------------------

    def network(self, name, third_octet, vlan=None, dhcp=True):
        octet = int(self.suffix[4:6], 16) % 200 + 20
        cidr = f"10.{octet}.{third_octet}.0/24"
        base = f"10.{octet}.{third_octet}"
        spec = net_if.NetworkSpec(
            id=str(uuidlib.uuid4()), name=name, cidr=cidr,
            gateway=f"{base}.1", bridge=f"nbl{self.suffix}{third_octet % 10}",
            vlan=vlan, dhcp_enabled=dhcp, allocation_start=f"{base}.2",
            allocation_end=f"{base}.254", metadata_host="127.0.0.1",
            metadata_port=self.metadata.port)
        spec.ports = []
        self.networks.append(spec)
        return spec

    def setup(self, network):
        self.plugin.setup_network(network, list(network.ports))

    def boot(self, driver, network, host_index, user_data=COMMAND_LOOP,
             rules=None):
        """Plug a port, filter it, record it with the metadata server,
        set up the gateway with it, and spawn the guest."""
        uuid = str(uuidlib.uuid4())
        ip = network.cidr.rsplit(".", 1)[0] + f".{host_index}"
        mac = "fa:16:3e:%02x:%02x:%02x" % (
            int(self.suffix[:2], 16), len(self.guests), host_index)
        port = net_if.PortSpec(id=str(uuidlib.uuid4()), network_id=network.id,
                               mac=mac, fixed_ips=[ip], instance_uuid=uuid,
                               hostname=f"guest-{host_index}")
        network.ports.append(port)
        self.metadata.instances[ip] = (uuid, user_data)
        self.setup(network)
        vif = self.plugin.plug_vif(network, port)
        if rules is not None:
            self.plugin.set_port_filter(network, net_if.PortFilter(
                port=port, rules=rules))
        spec = self.env.spec(uuid)
        spec.vifs = [vif]
        guest = Guest(uuid=uuid, ip=ip, mac=mac, port=port, network=network,
                      driver=driver, plugin=self.plugin)
        self.guests.append(guest)
        guest.booted_at = time.monotonic()
        driver.spawn(None, spec)
        return guest

    def console(self, guest):
        return guest.driver.get_console_output(guest.uuid)

    def wait_console(self, guest, text, timeout=240.0):
        self.env.wait_console(guest.driver, guest.uuid, text,
                              timeout=timeout)

    def run(self, guest, command, timeout=60.0):
        """Run ``command`` in ``guest`` (through the metadata channel);
        return ``(rc, output)``."""
        queue = self.metadata.commands.setdefault(guest.ip, [])
        n = len(queue)
        queue.append(command + "\n")
        end = f"NIMBUS-CMD-END n={n} rc="
        self.wait_console(guest, end, timeout)
        out = self.console(guest)
        body, rest = out.split(f"NIMBUS-CMD-BEGIN n={n}", 1)[1].split(end, 1)
        return int(rest.split()[0]), body

    # -- the end -------------------------------------------------------------------

    def close(self):
        """Remove everything this topology made; keep going on errors."""
        errors = []

        def attempt(func, *args):
            try:
                func(*args)
            except Exception as err:  # collect: cleanup must go on
                errors.append(f"{getattr(func, '__name__', func)}: {err}")

        for guest in self.guests:
            attempt(guest.driver.destroy, None, guest.uuid)
            attempt(self.plugin.remove_port_filter, guest.network, guest.port)
            attempt(self.plugin.unplug_vif, guest.network, guest.port)
        for floating in self.floating:
            attempt(self.plugin.remove_floating_ip, floating)
        for network in self.networks:
            attempt(self.plugin.teardown_network, network)
        attempt(self.plugin.gateway.destroy)
        attempt(self.plugin.cleanup_host)
        self.metadata.close()
        s = self.suffix
        for bridge in (f"nbi{s}", f"nbx{s}") + tuple(
                n.bridge for n in self.networks):
            sh("ovs-vsctl", "--if-exists", "del-br", bridge, check=False)
            sh("ip", "link", "del", bridge, check=False)
        sh("ip", "link", "del", f"nxo{s}", check=False)
        sh("ip", "netns", "del", self.outside_ns, check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)
        leftovers = [line for line in sh("ip", "-o", "link").stdout
                     .splitlines() if s in line]
        if leftovers:
            errors.append(f"links left: {leftovers}")
        return errors


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OutsideServer:
    """An HTTP server in the outside namespace answering ``peer=<addr>``."""

    CODE = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        body = ("peer=" + self.client_address[0]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
"""

    def __init__(self, topology):
        import sys
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", topology.outside_ns, sys.executable,
             "-c", self.CODE, f"{topology.ext_prefix}.1", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
