"""Issue 9's "Done when", through the API with stock clients: nimbus-all
with the libvirt plugin and the ``vlan`` network plugin on Open vSwitch,
driven with the ``openstack`` CLI (the clouds.yaml nimbus writes) and
openstacksdk (and boto3 on the EC2 port for one test); real TCG guests
print what they see on their consoles.

One deployment and three guests for the module: A1 and A2 of project A
(one VLAN), B1 of project B (its own VLAN). Guests run their user data
(see ``tools/build-test-guest.sh``): pings and fetches in a loop, each
result a console line.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid

import boto3
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError
from oslo_config import cfg

from nimbus.plugins.images.local import store as local_store
from tests.conftest import free_port, noauth_sdk
from tests.integration.libvirt import netfixtures
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real
BIN = os.path.dirname(sys.executable)
HOST = "lv-1"

A1_DATA = """#!/bin/sh
echo UD-MARK=a1
ip link set lo up
mkdir -p /www && echo nimbus-a1 > /www/index.html
httpd -p 8080 -h /www
httpd -p 8081 -h /www
i=0
while true; do
    echo "A1-OUT $i $(timeout 3 wget -q -O - http://{outside}:{port}/ 2>&1)"
    i=$((i + 1))
    sleep 2
done
"""

PINGER = """#!/bin/sh
echo UD-MARK={name}
i=0
while true; do
    if ping -c 1 -W 1 {target} >/dev/null 2>&1; then r=ok; else r=fail; fi
    echo "{name}-PING $i $r"
    if ping -c 1 -W 1 {gateway} >/dev/null 2>&1; then g=ok; else g=fail; fi
    echo "{name}-GW $i $g"
    i=$((i + 1))
    sleep 1
done
"""

#: a one-packet ICMP echo from the outside namespace (the host has no
#: ping): exit 0 when the reply comes within the timeout.
RAW_PING = """
import os, socket, struct, sys, time
dst = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(2)
ident = os.getpid() & 0xffff
hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"nimbus"
c = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
c = (c >> 16) + (c & 0xffff); c = ~(c + (c >> 16)) & 0xffff
s.sendto(struct.pack("!BBHHH", 8, 0, c, ident, 1) + b"nimbus", (dst, 0))
end = time.time() + 2
while time.time() < end:
    try:
        data, addr = s.recvfrom(1024)
    except socket.timeout:
        break
    t, _, _, i, _ = struct.unpack("!BBHHH", data[20:28])
    if addr[0] == dst and t == 0 and i == ident:
        sys.exit(0)
sys.exit(1)
"""


#: EC2 keys of a noauth2 user and project (there is no identity user to
#: run ``openstack ec2 credentials create`` as): made with the credential
#: service API in a process of its own on the deployment's database, as
#: tests/functional/ec2 does in-process.
EC2_KEYS = """
import json, sys
from nimbus.core import bootstrap, context
from nimbus.core.db import api, setup
from nimbus.core.ec2 import credentials
conf = bootstrap.parse_config(["--config-file", sys.argv[1]], "nimbus-test",
                              default_config_files=[],
                              transport_url="local://")
setup.use_database(conf)
print(json.dumps(credentials.CredentialAPI(conf, api).create(
    context.get_admin_context(), sys.argv[2], sys.argv[3])))
"""


class Deployment:
    """nimbus-all with libvirt and a Linux network plugin (``vlan`` on
    OVS unless told otherwise) on a private world."""

    def __init__(self, env, suffix, driver="vlan", backend="ovs"):
        self.env = env
        self.s = suffix
        self.dir = os.path.join(env.workdir, f"e2e-{suffix}")
        os.makedirs(self.dir, mode=0o755)
        self.port = free_port()
        self.ec2_port = free_port()
        self.prefix = f"{env.prefix}e2e-"
        octet = 16 + int(suffix[:2], 16) % 15
        self.ext_prefix = f"172.{octet}.{int(suffix[2:4], 16)}"
        self.fixed = f"10.{int(suffix[4:6], 16) % 200 + 20}"
        self.outside_ns = f"nto{suffix}"
        self.opts = {"integration_bridge": f"nbi{suffix}",
                     "gateway_namespace": f"ngw{suffix}",
                     "external_bridge": f"nbx{suffix}"}
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
[libvirt]
virt_type = qemu
instances_path = {self.dir}/instances
domain_name_prefix = {self.prefix}
[ec2]
bind_port = {self.ec2_port}
[network]
driver = {driver}
create_default_network = false
flat_network_bridge = nbf{suffix}
fixed_range = {self.fixed}.0.0/16
network_size = 256
vlan_start = {100 + int(suffix[:3], 16) % 3000}
metadata_port = {free_port()}
[linux_net]
l2_backend = {backend}
integration_bridge = nbi{suffix}
gateway_namespace = ngw{suffix}
external_bridge = nbx{suffix}
external_address = {self.ext_prefix}.2/24
chain_prefix = nt{suffix}
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
        wait_until(up, 90, message="nimbus-all with libvirt and vlan")
        clouds_file = f"{self.dir}/state/clouds.yaml"

        def written():
            try:
                with open(clouds_file) as f:
                    loaded = yaml.safe_load(f) or {}
            except OSError:
                return None
            return loaded if loaded.get("clouds") else None
        clouds = wait_until(written, 30, message="clouds.yaml")
        # Project B: the same entry as nimbus writes, another token.
        entry = json.loads(json.dumps(clouds["clouds"]["nimbus-demo"]))
        entry["auth"]["token"] = "bob:projb"
        clouds["clouds"]["nimbus-b"] = entry
        self.clouds = os.path.join(self.dir, "clouds.yaml")
        with open(self.clouds, "w") as f:
            yaml.safe_dump(clouds, f)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        with open(os.path.join(self.dir, "all.log"), errors="replace") as f:
            return f.read()[-4000:]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def osc(self, cloud, *args, check=True):
        """Run the stock ``openstack`` CLI; JSON output parsed."""
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds,
                   OS_CLOUD=cloud, PYTHONWARNINGS="ignore")
        proc = subprocess.run([f"{BIN}/openstack", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr,
                                          self.log())
        if "-f" in args and proc.returncode == 0 and proc.stdout.strip():
            return json.loads(proc.stdout)
        return proc

    def sdk(self, cloud="nimbus"):
        """openstacksdk on an entry of the clouds.yaml nimbus wrote."""
        import openstack
        from openstack import config as os_config
        region = os_config.OpenStackConfig(
            config_files=[self.clouds]).get_one(cloud)
        return openstack.connection.Connection(config=region)

    def register_guest_images(self, guest_dir):
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
                         "os_command_line": "quiet no_timer_check"}
            record = images.create(None, dict(
                name=f"e2e-{name}", disk_format=fmt, container_format=fmt,
                visibility="public", is_public=True, properties=props))
            with open(os.path.join(guest_dir, filename), "rb") as f:
                images.upload(None, record["id"], iter([f.read()]))
            ids[name] = record["id"]
        return ids["guest"]

    def make_outside(self):
        ns, out, inn = self.outside_ns, f"nxo{self.s}", f"nxi{self.s}"
        bridge = self.opts["external_bridge"]
        sh = netfixtures.sh
        sh("ovs-vsctl", "--may-exist", "add-br", bridge, "--", "set",
           "Bridge", bridge, "datapath_type=netdev")
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", out, "type", "veth", "peer", "name", inn,
           "netns", ns)
        sh("ovs-vsctl", "--may-exist", "add-port", bridge, out)
        sh("ip", "link", "set", bridge, "up")
        sh("ip", "link", "set", out, "up")
        for argv in (("ip", "addr", "add", f"{self.ext_prefix}.1/24", "dev",
                      inn), ("ip", "link", "set", inn, "up"),
                     ("ip", "link", "set", "lo", "up"),
                     ("iptables", "-t", "mangle", "-A", "POSTROUTING", "-j",
                      "CHECKSUM", "--checksum-fill")):
            self.in_outside(*argv)

    def in_outside(self, *argv, check=True, timeout=30):
        return netfixtures.sh("ip", "netns", "exec", self.outside_ns, *argv,
                              check=check, timeout=timeout)

    def ec2(self, user, project):
        """boto3 on the EC2 port, signed as ``user`` in ``project``."""
        made = subprocess.run(
            [sys.executable, "-c", EC2_KEYS, self.conf, user, project],
            capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        cred = json.loads(made.stdout.strip().splitlines()[-1])
        return boto3.client(
            "ec2", endpoint_url=f"http://127.0.0.1:{self.ec2_port}",
            region_name="RegionOne", aws_access_key_id=cred["access"],
            aws_secret_access_key=cred["secret"],
            config=Config(retries={"max_attempts": 2}, read_timeout=120))

    def outside_ping(self, address):
        return self.in_outside(sys.executable, "-c", RAW_PING, address,
                               check=False).returncode == 0

    def cleanup(self):
        sh = netfixtures.sh
        for name in self.env.own_domains():
            if name.startswith(self.prefix):
                self.env.virsh("destroy", name, check=False)
                self.env.virsh("undefine", name, "--managed-save",
                               check=False)
        # What the plugin made (nimbus-all stopped before it could tear
        # networks down: they outlive a service restart on purpose).
        state = f"{self.dir}/state"
        for root, _dirs, files in os.walk(os.path.join(state, "dhcp")):
            if "pid" in files:
                try:
                    with open(os.path.join(root, "pid")) as f:
                        os.kill(int(f.read().strip()), signal.SIGTERM)
                except (OSError, ValueError):
                    pass
        for line in sh("ip", "route").stdout.splitlines():
            if line.startswith(self.fixed + "."):
                sh("ip", "route", "del", line.split()[0], check=False)
        remove_chains(f"nt{self.s}-")
        sh("ip", "netns", "del", self.opts["gateway_namespace"], check=False)
        sh("ip", "netns", "del", self.outside_ns, check=False)
        for bridge in (self.opts["integration_bridge"],
                       self.opts["external_bridge"], f"nbf{self.s}"):
            sh("ovs-vsctl", "--if-exists", "del-br", bridge, check=False)
            sh("ip", "link", "del", bridge, check=False)
        for line in sh("ip", "-o", "link").stdout.splitlines():
            name = line.split(": ")[1].split("@")[0]
            if self.s in name or name.startswith(("mdh-", "exh-")) and \
                    name in _own_links(self.opts["gateway_namespace"]):
                sh("ip", "link", "del", name, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def remove_chains(prefix):
    """Remove the host filter chains named ``prefix...`` (the Linux bridge
    backend's security groups, which outlive a stopped service on
    purpose) and the FORWARD jumps to them."""
    sh = netfixtures.sh
    rules = sh("iptables", "-w", "-S").stdout.splitlines()
    for rule in rules:
        words = rule.split()
        if words[:2] == ["-A", "FORWARD"] and words[-1].startswith(prefix):
            sh("iptables", "-w", "-D", *words[1:], check=False)
    chains = [r.split()[1] for r in rules
              if r.startswith("-N ") and r.split()[1].startswith(prefix)]
    for chain in chains:
        sh("iptables", "-w", "-F", chain, check=False)
    for chain in chains:
        sh("iptables", "-w", "-X", chain, check=False)


def _own_links(namespace):
    from nimbus.plugins.networks.linux import names
    return {names.metadata_link(namespace)[0],
            names.external_link(namespace)[0]}


@pytest.fixture(scope="module")
def cloud(libvirt_env):
    """The deployment, the external network, and the three guests."""
    d = Deployment(libvirt_env, uuid.uuid4().hex[:6])
    try:
        d.make_outside()
        d.start()
        d.guest_dir = netfixtures.guest_dir()
        image = d.register_guest_images(d.guest_dir)
        admin = d.sdk("nimbus")
        flavor = admin.compute.create_flavor(name=f"e2e-{d.s}", ram=128,
                                             vcpus=1, disk=1)
        d.osc("nimbus", "network", "create", "--external", f"public-{d.s}",
              "-f", "json")
        d.osc("nimbus", "subnet", "create", "--network", f"public-{d.s}",
              "--subnet-range", f"{d.ext_prefix}.0/24", "--gateway",
              f"{d.ext_prefix}.1", "--allocation-pool",
              f"start={d.ext_prefix}.10,end={d.ext_prefix}.60",
              f"public-sub-{d.s}", "-f", "json")
        vlan = 100 + int(d.s[:3], 16) % 3000
        d.nets = {}
        # A project's network, as an operator makes it with openstacksdk
        # (the CLI's --project looks the name up in Keystone, which a
        # noauth2 deployment has not).
        for proj, name, third in (("demo", "a", 1), ("projb", "b", 2)):
            net = admin.network.create_network(
                name=f"net-{name}-{d.s}", project_id=proj,
                provider_network_type="vlan",
                provider_segmentation_id=vlan + third)
            admin.network.create_subnet(
                network_id=net.id, ip_version=4, project_id=proj,
                cidr=f"{d.fixed}.{third}.0/24", name=f"sub-{name}-{d.s}")
            d.nets[name] = net.id
        d.server_http = netfixtures.OutsideServer(d)
        d.image, d.flavor = image, flavor.id
        d.a1 = boot(d, "nimbus-demo", "a1", d.nets["a"], A1_DATA.format(
            outside=f"{d.ext_prefix}.1", port=d.server_http.port))
        a1_ip = wait_active(d, "nimbus-demo", d.a1)["ip"]
        gateway_a = a1_ip.rsplit(".", 1)[0] + ".1"
        d.a2 = boot(d, "nimbus-demo", "a2", d.nets["a"], PINGER.format(
            name="A2", target=a1_ip, gateway=gateway_a))
        d.b1 = boot(d, "nimbus-b", "b1", d.nets["b"], PINGER.format(
            name="B1", target=a1_ip, gateway="$(ip route | awk "
                                               "'/default/{print $3}')"))
        d.ips = {"a1": a1_ip}
        d.ips["a2"] = wait_active(d, "nimbus-demo", d.a2)["ip"]
        d.ips["b1"] = wait_active(d, "nimbus-b", d.b1)["ip"]
        yield d
    finally:
        if getattr(d, "server_http", None):
            d.server_http.stop()
        d.stop()
        d.cleanup()


def boot(d, cloud_name, name, net_id, user_data):
    path = os.path.join(d.dir, f"{name}.sh")
    with open(path, "w") as f:
        f.write(user_data)
    server = d.osc(cloud_name, "server", "create", "--image", d.image,
                   "--flavor", d.flavor, "--nic", f"net-id={net_id}",
                   "--user-data", path, name, "-f", "json")
    return server["id"]


def wait_active(d, cloud_name, server_id, timeout=300):
    """Wait until the server is ACTIVE (polled with openstacksdk: each
    CLI call is a new Python process); return ``openstack server show``
    of it, as ``cloud_name``, with its first address as ``ip``."""
    admin = noauth_sdk(d.url, "admin:admin")

    def check():
        server = admin.compute.get(f"/servers/{server_id}").json()["server"]
        assert server["status"] != "ERROR", (server, d.log())
        return server["status"] == "ACTIVE"
    wait_until(check, timeout, interval=0.5, message=f"{server_id} ACTIVE")
    server = d.osc(cloud_name, "server", "show", server_id, "-f", "json")
    assert server["status"] == "ACTIVE", (server, d.log())
    found = re.findall(r"(\d+\.\d+\.\d+\.\d+)", json.dumps(
        server["addresses"]))
    server["ip"] = found[0]
    return server


def console(d, server_id):
    admin = noauth_sdk(d.url, "admin:admin")
    return admin.compute.get_server_console_output(server_id)["output"]


def wait_console(d, server_id, pattern, timeout=300):
    def check():
        return re.search(pattern, console(d, server_id))
    return wait_until(check, timeout, interval=2,
                      message=f"{pattern!r} on the console of {server_id}")


def new_lines(d, server_id, prefix, after):
    """``(index, result)`` of ``prefix`` lines numbered above ``after``."""
    return [(int(i), r) for i, r in re.findall(
        re.escape(prefix) + r" (\d+) (\S+)", console(d, server_id))
        if int(i) > after]


def last_index(d, server_id, prefix):
    found = re.findall(re.escape(prefix) + r" (\d+) ", console(d, server_id))
    return int(found[-1]) if found else -1


def wait_result(d, server_id, prefix, want, count=2, timeout=60):
    """Wait for ``count`` consecutive ``want`` results of lines printed
    after now."""
    start = last_index(d, server_id, prefix)

    def check():
        results = [r for _i, r in new_lines(d, server_id, prefix, start)]
        return results[-count:] == [want] * count
    wait_until(check, timeout, interval=1,
               message=f"{prefix} {want} x{count} on {server_id}")


def test_guests_get_leases_and_server_show_lists_them(cloud):
    d = cloud
    for sid, cloud_name, name in ((d.a1, "nimbus-demo", "a1"),
                                  (d.a2, "nimbus-demo", "a2"),
                                  (d.b1, "nimbus-b", "b1")):
        ip = d.ips[name]
        wait_console(d, sid, rf"NIMBUS-DHCP-BOUND iface=eth0 "
                             rf"ip={re.escape(ip)} ")
        server = d.osc(cloud_name, "server", "show", sid, "-f", "json")
        ports = d.osc(cloud_name, "port", "list", "--server", sid, "-f",
                      "json")
        assert len(ports) == 1, ports
        addresses = json.dumps(server["addresses"])
        assert ip in addresses
        assert ip in json.dumps(ports[0]["Fixed IP Addresses"])
    # Project A's two guests share a network; B's is another one.
    a_net = d.ips["a1"].rsplit(".", 1)[0]
    assert d.ips["a2"].startswith(a_net + ".")
    assert not d.ips["b1"].startswith(a_net + ".")


def test_server_show_macs_are_the_ports(cloud):
    d = cloud
    admin = d.sdk("nimbus")
    for sid in (d.a1, d.a2, d.b1):
        server = admin.compute.get_server(sid)
        entries = [e for entries in server.addresses.values()
                   for e in entries]
        ports = list(admin.network.ports(device_id=sid))
        assert {e["OS-EXT-IPS-MAC:mac_addr"] for e in entries} == \
            {p.mac_address for p in ports}
        assert {e["addr"] for e in entries
                if e["OS-EXT-IPS:type"] == "fixed"} == \
            {f["ip_address"] for p in ports for f in p.fixed_ips}


def test_metadata_gives_each_guest_its_own_id_and_user_data(cloud):
    d = cloud
    ec2_ids = {}
    for sid, mark in ((d.a1, "a1"), (d.a2, "A2"), (d.b1, "B1")):
        wait_console(d, sid, f"NIMBUS-META uuid={sid}")
        out = console(d, sid)
        ec2_ids[sid] = re.findall(r"NIMBUS-META instance-id=(i-[0-9a-f]{8})",
                                  out)
        assert len(ec2_ids[sid]) == 1, out
        # Its own user data ran, and nobody else's.
        assert f"UD-MARK={mark}" in out
        for other_mark in {"a1", "A2", "B1"} - {mark}:
            assert f"UD-MARK={other_mark}" not in out
        for other in {d.a1, d.a2, d.b1} - {sid}:
            assert f"uuid={other}" not in out
    assert len({ids[0] for ids in ec2_ids.values()}) == 3


def test_project_a_guests_ping_each_other_and_b_is_isolated(cloud):
    d = cloud
    wait_result(d, d.a2, "A2-PING", "ok")
    wait_result(d, d.b1, "B1-GW", "ok")
    wait_result(d, d.b1, "B1-PING", "fail", count=3)
    assert not [r for _i, r in new_lines(d, d.b1, "B1-PING", -1)
                if r == "ok"]


def test_security_group_rules_and_floating_ip(cloud):
    d = cloud
    fip = d.osc("nimbus-demo", "floating", "ip", "create", f"public-{d.s}",
                "-f", "json")["floating_ip_address"]
    d.osc("nimbus-demo", "server", "add", "floating", "ip", d.a1, fip)
    wait_until(lambda: fip in json.dumps(d.osc(
        "nimbus-demo", "server", "show", d.a1, "-f", "json")["addresses"]),
        60, message="floating IP in server show")
    # The default group lets in only its members: the outside is not one.
    assert not d.outside_ping(fip)
    rule = d.osc("nimbus-demo", "security", "group", "rule", "create",
                 "--protocol", "icmp", "--ingress", "default", "-f", "json")
    wait_until(lambda: d.outside_ping(fip), 30,
               message="ping through the ICMP rule")
    d.osc("nimbus-demo", "security", "group", "rule", "delete", rule["id"])
    wait_until(lambda: not d.outside_ping(fip), 30,
               message="no ping once the rule is gone")

    tcp = d.osc("nimbus-demo", "security", "group", "rule", "create",
                "--protocol", "tcp", "--dst-port", "8080", "--ingress",
                "default", "-f", "json")
    try:
        wait_until(lambda: d.in_outside(
            "curl", "-sS", "-m", "3", f"http://{fip}:8080/",
            check=False).returncode == 0, 30, message="tcp 8080 allowed")
        got = d.in_outside("curl", "-sS", "-m", "3", f"http://{fip}:8081/",
                           check=False)
        assert got.returncode == 28, got  # dropped: the connect times out
        # A1 leaves with its floating IP.
        wait_console(d, d.a1, rf"A1-OUT \d+ peer={re.escape(fip)}\b", 60)

        d.osc("nimbus-demo", "server", "remove", "floating", "ip", d.a1,
              fip)
        wait_until(lambda: d.in_outside(
            "curl", "-sS", "-m", "3", f"http://{fip}:8080/",
            check=False).returncode != 0, 30,
            message="floating IP gone")
        wait_console(d, d.a1, rf"A1-OUT \d+ peer="
                              rf"{re.escape(d.ext_prefix)}\.2\b", 60)
    finally:
        d.osc("nimbus-demo", "security", "group", "rule", "delete",
              tcp["id"], check=False)


def test_ec2_security_group_and_address_on_a_real_guest(cloud):
    """boto3 as project A: AllocateAddress + AssociateAddress to A1 (A1
    leaves with it), CreateSecurityGroup + AuthorizeSecurityGroupIngress
    (ICMP and TCP 8081 from the outside's range) put on A1 with
    ModifyInstanceAttribute: ping and port 8081 answer where they did
    not, port 8080 stays shut; DisassociateAddress: no answer any more;
    the group and the address are released."""
    d = cloud
    client = d.ec2("demo", "demo")
    outside = f"{d.ext_prefix}.0/24"

    def answers(port):
        return d.in_outside("curl", "-sS", "-m", "3",
                            f"http://{fip}:{port}/", check=False)

    (found,) = [i for r in client.describe_instances(Filters=[
        {"Name": "private-ip-address", "Values": [d.ips["a1"]]}])[
        "Reservations"] for i in r["Instances"]]
    iid = found["InstanceId"]
    assert found["State"]["Name"] == "running"
    groups = [g["GroupId"] for g in client.describe_instance_attribute(
        InstanceId=iid, Attribute="groupSet")["Groups"]]
    assert groups, found
    alloc = client.allocate_address()
    fip, alloc_id = alloc["PublicIp"], alloc["AllocationId"]
    group_id = None
    try:
        assert fip.startswith(d.ext_prefix + ".")
        assoc = client.associate_address(InstanceId=iid,
                                         AllocationId=alloc_id)[
            "AssociationId"]
        (address,) = client.describe_addresses(
            AllocationIds=[alloc_id])["Addresses"]
        assert (address["InstanceId"], address["PrivateIpAddress"]) == \
            (iid, d.ips["a1"])
        # The address is in place once A1 leaves with it; the groups A1
        # has let nothing in from the outside.
        wait_console(d, d.a1, rf"A1-OUT \d+ peer={re.escape(fip)}\b", 90)
        assert not d.outside_ping(fip)
        assert answers(8081).returncode == 28

        group_id = client.create_security_group(
            GroupName=f"ec2-web-{d.s}", Description="ping and 8081")[
            "GroupId"]
        client.authorize_security_group_ingress(GroupId=group_id,
                                                IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
             "IpRanges": [{"CidrIp": outside}]},
            {"IpProtocol": "tcp", "FromPort": 8081, "ToPort": 8081,
             "IpRanges": [{"CidrIp": outside}]}])
        (shown,) = client.describe_security_groups(
            GroupIds=[group_id])["SecurityGroups"]
        assert sorted((p["IpProtocol"], p.get("FromPort"))
                      for p in shown["IpPermissions"]) == \
            [("icmp", -1), ("tcp", 8081)]
        client.modify_instance_attribute(InstanceId=iid,
                                         Groups=groups + [group_id])
        wait_until(lambda: answers(8081).returncode == 0, 60,
                   message="tcp 8081 through the EC2 group")
        assert "nimbus-a1" in answers(8081).stdout
        wait_until(lambda: d.outside_ping(fip), 60,
                   message="ping through the EC2 group")
        assert answers(8080).returncode == 28  # still dropped

        client.disassociate_address(AssociationId=assoc)
        wait_until(lambda: answers(8081).returncode != 0, 60,
                   message="floating IP gone")
        # The gateway drops its NAT, then the address (which it answers
        # pings for itself in between).
        wait_until(lambda: not d.outside_ping(fip), 60,
                   message="no ping once the address is gone")
        (address,) = client.describe_addresses(
            AllocationIds=[alloc_id])["Addresses"]
        assert not address.get("InstanceId")
        wait_console(d, d.a1, rf"A1-OUT \d+ peer="
                              rf"{re.escape(d.ext_prefix)}\.2\b", 60)
    finally:
        # Each step on its own: what the test made must go even when it
        # failed half way (checked below when it did not).
        with contextlib.suppress(ClientError):
            client.disassociate_address(PublicIp=fip)
        with contextlib.suppress(ClientError):
            client.modify_instance_attribute(InstanceId=iid, Groups=groups)
        with contextlib.suppress(ClientError):
            if group_id:
                client.delete_security_group(GroupId=group_id)
        with contextlib.suppress(ClientError):
            client.release_address(AllocationId=alloc_id)
    assert [g["GroupId"] for g in client.describe_instance_attribute(
        InstanceId=iid, Attribute="groupSet")["Groups"]] == groups
    assert alloc_id not in [a["AllocationId"] for a in
                            client.describe_addresses()["Addresses"]]
    assert f"ec2-web-{d.s}" not in [g["GroupName"] for g in
                                    client.describe_security_groups()[
                                        "SecurityGroups"]]
