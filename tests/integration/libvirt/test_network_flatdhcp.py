"""The ``flatdhcp`` plugin on Linux bridges with a real TCG guest: DHCP
lease and metadata through the gateway namespace, and security groups as
iptables rules seen by bridge netfilter."""

import dataclasses
import time

import pytest

from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import driver as linux_driver
from tests.integration.libvirt import netfixtures

pytestmark = pytest.mark.real

RULES = [net_if.FirewallRule(direction="egress"),
         net_if.FirewallRule(direction="ingress", protocol="tcp",
                             port_range_min=8080, port_range_max=8080)]


@pytest.fixture(scope="module")
def topo(libvirt_env):
    env = dataclasses.replace(libvirt_env,
                              guest_dir=netfixtures.guest_dir())
    topology = netfixtures.Topology(env, backend="linuxbridge",
                                    plugin_cls=linux_driver.FlatDHCPNetwork)
    drv = env.driver()
    try:
        net = topology.network("flat", 3)
        topology.g1 = topology.boot(drv, net, 31, rules=RULES)
        topology.wait_console(topology.g1, "NIMBUS-DHCP-BOUND iface=eth0 "
                                           f"ip={topology.g1.ip} ")
        topology.lease_seconds = time.monotonic() - topology.g1.booted_at
        topology.wait_console(topology.g1, "NIMBUS-UD-READY")
        yield topology
    finally:
        errors = topology.close()
        drv.cleanup_host()
        assert not errors, errors


def test_lease_and_metadata_on_a_linux_bridge(topo):
    g1 = topo.g1
    out = topo.console(g1)
    assert (f"NIMBUS-DHCP-BOUND iface=eth0 ip={g1.ip} "
            f"router={g1.network.gateway}") in out
    assert f"NIMBUS-META instance-id={g1.uuid}" in out
    assert (g1.ip, "/latest/meta-data/instance-id") in topo.metadata.peers
    bridges = netfixtures.sh("ip", "-o", "link", "show", "master",
                             g1.network.bridge).stdout
    assert g1.port.id[:11] in bridges  # the tap is on the Linux bridge
    print("lease seconds after spawn:", round(topo.lease_seconds, 1))


def test_security_group_rules_on_bridged_packets(topo):
    g1 = topo.g1
    url = "http://{}:{}/"
    got = topo.in_gateway("curl", "-sS", "-m", "5", url.format(g1.ip, 8080),
                          check=False)
    assert got.returncode == 0 and "nimbus-guest" in got.stdout, got
    got = topo.in_gateway("curl", "-sS", "-m", "3", url.format(g1.ip, 8081),
                          check=False)
    assert got.returncode == 28, got  # timed out: dropped
    topo.plugin.set_port_filter(g1.network, net_if.PortFilter(
        port=g1.port, rules=RULES + [net_if.FirewallRule(
            direction="ingress", protocol="tcp", port_range_min=8081,
            port_range_max=8081)]))
    got = topo.in_gateway("curl", "-sS", "-m", "5", url.format(g1.ip, 8081),
                          check=False)
    assert got.returncode == 0 and "nimbus-guest" in got.stdout, got
    chain = f"{topo.opts.chain_prefix}-sg"
    assert chain in netfixtures.sh("iptables", "-S", "FORWARD").stdout
