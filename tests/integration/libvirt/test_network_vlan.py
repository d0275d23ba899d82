"""The ``vlan`` plugin on Open vSwitch (userspace datapath) with real
TCG guests, called directly with the libvirt plugin: DHCP, metadata,
VLAN isolation, security groups, anti-spoofing and floating IPs, each
seen in packets the guests send and receive.

Three guests share the module: A1 and A2 on network A (VLAN 101), B1 on
network B (VLAN 102).
"""

import dataclasses
import time

import pytest

from nimbus.core.interfaces import network as net_if
from tests.integration.libvirt import netfixtures

pytestmark = pytest.mark.real

ALLOW_EGRESS = [net_if.FirewallRule(direction="egress")]
ICMP_IN = net_if.FirewallRule(direction="ingress", protocol="icmp")
TCP_8080_IN = net_if.FirewallRule(direction="ingress", protocol="tcp",
                                  port_range_min=8080, port_range_max=8080)


@pytest.fixture(scope="module")
def topo(libvirt_env):
    env = dataclasses.replace(libvirt_env,
                              guest_dir=netfixtures.guest_dir())
    topology = netfixtures.Topology(env, backend="ovs")
    drv = env.driver()
    try:
        topology.make_outside()
        net_a = topology.network("A", 1, vlan=101)
        net_b = topology.network("B", 2, vlan=102)
        rules = ALLOW_EGRESS + [ICMP_IN, TCP_8080_IN]
        topology.a1 = topology.boot(drv, net_a, 11, rules=rules)
        topology.a2 = topology.boot(drv, net_a, 12, rules=rules)
        topology.b1 = topology.boot(drv, net_b, 21, rules=rules)
        topology.lease_seconds = {}
        for guest in (topology.a1, topology.a2, topology.b1):
            topology.wait_console(guest, f"NIMBUS-DHCP-BOUND iface=eth0 "
                                         f"ip={guest.ip} ")
            topology.lease_seconds[guest.uuid] = \
                time.monotonic() - guest.booted_at
        for guest in (topology.a1, topology.a2, topology.b1):
            topology.wait_console(guest, "NIMBUS-UD-READY")
        yield topology
    finally:
        errors = topology.close()
        drv.cleanup_host()
        assert not errors, errors


def test_guests_get_their_leases_from_their_network(topo):
    for guest in (topo.a1, topo.a2, topo.b1):
        out = topo.console(guest)
        assert (f"NIMBUS-DHCP-BOUND iface=eth0 ip={guest.ip} "
                f"router={guest.network.gateway}") in out
    print("lease seconds after spawn:", sorted(topo.lease_seconds.values()))


def test_metadata_answers_each_guest_by_its_fixed_ip(topo):
    for guest in (topo.a1, topo.a2, topo.b1):
        assert f"NIMBUS-META instance-id={guest.uuid}" in topo.console(guest)
        others = {g.uuid for g in topo.guests} - {guest.uuid}
        assert not any(f"instance-id={o}" in topo.console(guest)
                       for o in others)
    peers = {peer for peer, path in topo.metadata.peers
             if path == "/latest/meta-data/instance-id"}
    assert peers == {g.ip for g in (topo.a1, topo.a2, topo.b1)}


def test_same_vlan_guests_ping_each_other(topo):
    rc, out = topo.run(topo.a1, f"ping -c 2 -W 2 {topo.a2.ip}")
    assert rc == 0, out
    rc, out = topo.run(topo.a2, f"ping -c 2 -W 2 {topo.a1.ip}")
    assert rc == 0, out


def test_guest_on_another_vlan_cannot_reach_them(topo):
    rc, out = topo.run(topo.b1, f"ping -c 2 -W 2 {topo.a1.ip}")
    assert rc != 0, out
    # ... while its own gateway answers (the failure is isolation, not a
    # dead guest).
    rc, out = topo.run(topo.b1, f"ping -c 1 -W 2 {topo.b1.network.gateway}")
    assert rc == 0, out
    # At layer 2 too: A's broadcast never reaches B's segment.
    rc, out = topo.run(topo.b1, f"arping -c 2 -w 3 -I eth0 {topo.a1.ip}")
    assert rc != 0, out


def _filter(topo, guest, rules):
    topo.plugin.set_port_filter(guest.network, net_if.PortFilter(
        port=guest.port, rules=rules))


def _ping(topo, src, dst):
    rc, out = topo.run(src, f"ping -c 2 -W 2 {dst.ip}")
    return rc == 0


def test_icmp_rule_lets_ping_through_and_removing_it_stops_it(topo):
    try:
        _filter(topo, topo.a1, ALLOW_EGRESS + [TCP_8080_IN])
        assert not _ping(topo, topo.a2, topo.a1)
        _filter(topo, topo.a1, ALLOW_EGRESS + [ICMP_IN, TCP_8080_IN])
        assert _ping(topo, topo.a2, topo.a1)
        _filter(topo, topo.a1, ALLOW_EGRESS + [TCP_8080_IN])
        assert not _ping(topo, topo.a2, topo.a1)
    finally:
        _filter(topo, topo.a1, ALLOW_EGRESS + [ICMP_IN, TCP_8080_IN])


def test_tcp_port_not_allowed_is_dropped(topo):
    fetch = "timeout 5 wget -q -O - http://{}:{}/"
    rc, out = topo.run(topo.a2, fetch.format(topo.a1.ip, 8080))
    assert rc == 0 and "nimbus-guest" in out, out
    rc, out = topo.run(topo.a2, fetch.format(topo.a1.ip, 8081))
    # Dropped, not refused: wget hangs until "timeout" kills it (143)...
    assert rc == 143, out
    # ... and the guest does serve 8081.
    rc, out = topo.run(topo.a1, fetch.format("127.0.0.1", 8081))
    assert rc == 0 and "nimbus-guest" in out, out


def test_a_guest_cannot_send_from_another_ip_or_mac(topo):
    spoofed_ip = topo.a2.ip.rsplit(".", 1)[0] + ".99"
    assert _ping(topo, topo.a2, topo.a1)
    rc, out = topo.run(topo.a2, f"ip addr add {spoofed_ip}/24 dev eth0; "
                       f"ping -c 2 -W 2 -I {spoofed_ip} {topo.a1.ip}; "
                       f"r=$?; ip addr del {spoofed_ip}/24 dev eth0; "
                       "exit $r")
    assert rc != 0, out
    rc, out = topo.run(topo.a2, "ip link set eth0 address fa:16:3e:66:66:66;"
                       f" ping -c 2 -W 2 {topo.a1.ip}; r=$?; "
                       f"ip link set eth0 address {topo.a2.mac}; exit $r")
    assert rc != 0, out
    assert _ping(topo, topo.a2, topo.a1)


def test_floating_ip_reachable_from_outside_and_used_outbound(topo):
    address = f"{topo.ext_prefix}.10"
    outside = f"{topo.ext_prefix}.1"
    floating = net_if.FloatingSpec(
        address=address, fixed_address=topo.a1.ip,
        external_network=net_if.NetworkSpec(
            id="ext", name="public", cidr=f"{topo.ext_prefix}.0/24",
            gateway=outside, bridge=topo.opts.external_bridge,
            external=True),
        network=topo.a1.network, port_id=topo.a1.port.id)
    server = topo.outside_http_server()
    try:
        topo.plugin.add_floating_ip(floating)
        topo.floating.append(floating)
        got = topo.in_outside("curl", "-sS", "-m", "5",
                              f"http://{address}:8080/", check=False)
        assert got.returncode == 0 and "nimbus-guest" in got.stdout, got
        rc, out = topo.run(topo.a1, f"timeout 5 wget -q -O - "
                           f"http://{outside}:{server.port}/whoami")
        assert rc == 0 and f"peer={address}" in out, out

        topo.plugin.remove_floating_ip(floating)
        got = topo.in_outside("curl", "-sS", "-m", "3",
                              f"http://{address}:8080/", check=False)
        assert got.returncode != 0, got
        # Without it the guest leaves with the gateway's external address.
        rc, out = topo.run(topo.a1, f"timeout 5 wget -q -O - "
                           f"http://{outside}:{server.port}/whoami")
        assert rc == 0 and f"peer={topo.ext_prefix}.2" in out, out
    finally:
        server.stop()
