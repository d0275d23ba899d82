"""Issue 9's flat DHCP flow through the API: nimbus-all with the libvirt
plugin and ``flatdhcp`` on the Linux bridge backend; a guest booted with
the stock ``openstack`` CLI gets its lease and its own metadata, the lease
is recorded (``nimbus-manage fixed list``), and deleting the server ends
the lease in dnsmasq and frees the address."""

import os
import re
import subprocess
import uuid

import pytest

from tests.integration.libvirt import netfixtures
from tests.integration.libvirt import test_network_e2e as e2e
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def cloud(libvirt_env):
    d = e2e.Deployment(libvirt_env, uuid.uuid4().hex[:6],
                       driver="flatdhcp", backend="linuxbridge")
    try:
        d.start()
        d.image = d.register_guest_images(netfixtures.guest_dir())
        admin = d.sdk("nimbus")
        d.flavor = admin.compute.create_flavor(name=f"e2e-{d.s}", ram=128,
                                               vcpus=1, disk=1).id
        d.net = net = d.osc("nimbus", "network", "create", "--share",
                    "--provider-network-type", "flat", f"flat-{d.s}",
                    "-f", "json")
        d.osc("nimbus", "subnet", "create", "--network", net["id"],
              "--subnet-range", f"{d.fixed}.7.0/24", f"flat-sub-{d.s}",
              "-f", "json")
        d.g1 = e2e.boot(d, "nimbus-demo", "g1", net["id"],
                        "#!/bin/sh\necho UD-MARK=g1\n")
        d.ip = e2e.wait_active(d, "nimbus-demo", d.g1)["ip"]
        yield d
    finally:
        d.stop()
        d.cleanup()
        if getattr(d, "net", None):
            # The network's own bridge (Networking v2 names it brq<id>).
            from nimbus.plugins.networks.linux import names
            netfixtures.sh("ip", "link", "del",
                           names.flat_bridge(d.net["id"]), check=False)


def test_lease_and_metadata_from_the_guest(cloud):
    d = cloud
    e2e.wait_console(d, d.g1, rf"NIMBUS-DHCP-BOUND iface=eth0 "
                              rf"ip={re.escape(d.ip)} ")
    e2e.wait_console(d, d.g1, r"NIMBUS-META instance-id=i-[0-9a-f]{8}")
    e2e.wait_console(d, d.g1, f"NIMBUS-META uuid={d.g1}")
    e2e.wait_console(d, d.g1, "UD-MARK=g1")
    ports = d.osc("nimbus-demo", "port", "list", "--server", d.g1, "-f",
                  "json")
    # The CLI shows addresses without MACs; openstacksdk has them.
    server = d.sdk("nimbus-demo").compute.get_server(d.g1)
    entries = [e for es in server.addresses.values() for e in es]
    assert [(e["addr"], e["OS-EXT-IPS-MAC:mac_addr"]) for e in entries] \
        == [(d.ip, p["MAC Address"]) for p in ports]
    # The guest's tap is a port of a Linux bridge (not Open vSwitch).
    link = netfixtures.sh("ip", "-o", "link", "show", "dev",
                          "tap" + ports[0]["ID"][:11]).stdout
    master = re.search(r" master (\S+) ", link).group(1)
    assert os.path.isdir(f"/sys/class/net/{master}/bridge"), link


def _fixed(d):
    """``{address: line}`` of ``nimbus-manage fixed list`` (in use)."""
    out = subprocess.run(
        [f"{e2e.BIN}/nimbus-manage", "--config-file", d.conf, "fixed",
         "list", d.net["id"]], capture_output=True, text=True, timeout=60,
        check=True).stdout
    return {line.split()[0]: line for line in out.splitlines()[1:]}


def test_the_lease_is_recorded_and_ends_with_the_server(cloud):
    d = cloud
    e2e.wait_console(d, d.g1, rf"NIMBUS-DHCP-BOUND iface=eth0 "
                              rf"ip={re.escape(d.ip)} ")
    # nimbus-network reads dnsmasq's leases every 2 s.
    def leased():
        line = _fixed(d).get(d.ip, "")
        return line if "yes (ctl)" in line else None
    row = wait_until(leased, 60, interval=1, message="the lease recorded")
    assert d.g1 in row
    leases = os.path.join(d.dir, "state", "dhcp", d.net["id"], "leases")
    with open(leases) as f:
        assert f" {d.ip} " in f.read()
    d.osc("nimbus-demo", "server", "delete", "--wait", d.g1)
    # The gone port's lease is ended in dnsmasq (not left to expire in
    # a day), then the address is free: nothing lists it any more.
    wait_until(lambda: d.ip not in _fixed(d), 90, interval=1,
               message="the address freed after the lease ended")
    with open(leases) as f:
        assert f" {d.ip} " not in f.read()
