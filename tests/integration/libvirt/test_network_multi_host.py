"""multi_host with real packets: two "hosts" on one machine, each a
gateway namespace with its own gateway address and dnsmasq on the one
flat network's Linux bridge (``flatdhcp``), as nimbus-network beside each
compute sets them up. One TCG guest per host: each leases from, and
routes through, its own host; they reach each other.

On one machine both hosts share the root namespace, so only the host set
up last owns the reply route of the metadata link: guest A's host is set
up last and A runs the commands; guest B only needs DHCP.
"""

import dataclasses
import os
import uuid as uuidlib

import pytest

from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import driver as linux_driver
from nimbus.plugins.networks.linux import names
from tests.integration.libvirt import netfixtures

pytestmark = pytest.mark.real


def _second_host(topology):
    """Host B's plugin: its own gateway namespace and DHCP directory."""
    conf = topology._conf()
    s = topology.suffix
    conf.set_override("gateway_namespace", f"ngw{s}b", "linux_net")
    conf.set_override("dhcp_dir", os.path.join(topology.workdir, "dhcp-b"),
                      "linux_net")
    conf.clear_override("external_bridge", "linux_net")
    conf.clear_override("external_address", "linux_net")
    plugin = linux_driver.FlatDHCPNetwork(conf, "itest-host-b")
    plugin.init_host()
    return plugin


def _boot_on_b(topology, plugin, driver, spec, host_index):
    """Topology.boot for host B: B's gateway serves the port."""
    uuid = str(uuidlib.uuid4())
    ip = spec.cidr.rsplit(".", 1)[0] + f".{host_index}"
    mac = "fa:16:3e:%02x:%02x:%02x" % (int(topology.suffix[:2], 16), 0xb0,
                                       host_index)
    port = net_if.PortSpec(id=str(uuidlib.uuid4()), network_id=spec.id,
                           mac=mac, fixed_ips=[ip], instance_uuid=uuid,
                           hostname=f"guest-{host_index}")
    plugin.setup_network(spec, [port])
    vif = plugin.plug_vif(spec, port)
    guest_spec = topology.env.spec(uuid)
    guest_spec.vifs = [vif]
    guest = netfixtures.Guest(uuid=uuid, ip=ip, mac=mac, port=port,
                              network=spec, driver=driver, plugin=plugin)
    topology.guests.append(guest)
    driver.spawn(None, guest_spec)
    return guest


@pytest.fixture(scope="module")
def hosts(libvirt_env):
    env = dataclasses.replace(libvirt_env,
                              guest_dir=netfixtures.guest_dir())
    topology = netfixtures.Topology(env, backend="linuxbridge",
                                    plugin_cls=linux_driver.FlatDHCPNetwork)
    drv = env.driver()
    plugin_b = None
    spec_b = None
    try:
        plugin_b = _second_host(topology)
        net = topology.network("mh", 4)
        net.multi_host = True
        base = net.cidr.rsplit(".", 1)[0]
        # The gateway address each host got from the network (nimbus
        # takes them from its free addresses; .1 is nobody's).
        net.gateway = f"{base}.2"
        spec_b = dataclasses.replace(net, gateway=f"{base}.3")
        topology.guest_b = _boot_on_b(topology, plugin_b, drv, spec_b, 42)
        topology.guest_a = topology.boot(drv, net, 41)
        topology.plugin_b, topology.spec_b = plugin_b, spec_b
        for guest in (topology.guest_a, topology.guest_b):
            topology.wait_console(guest, "NIMBUS-DHCP-BOUND iface=eth0 "
                                         f"ip={guest.ip} ")
        topology.wait_console(topology.guest_a, "NIMBUS-UD-READY")
        yield topology
    finally:
        errors = []
        if plugin_b is not None:
            # Host B first: the topology's check for leftovers sees its
            # links too.
            for guest in topology.guests:
                if guest.plugin is plugin_b:
                    try:
                        drv.destroy(None, guest.uuid)
                    except Exception as err:  # cleanup must go on
                        errors.append(f"guest b: {err}")
            for attempt in (lambda: plugin_b.teardown_network(spec_b)
                            if spec_b else None,
                            plugin_b.gateway.destroy, plugin_b.cleanup_host):
                try:
                    attempt()
                except Exception as err:  # cleanup must go on
                    errors.append(f"host b: {err}")
        errors += topology.close()
        drv.cleanup_host()
        assert not errors, errors


def _dhcp_log(plugin, spec):
    path = os.path.join(plugin.gateway.netdir(spec.id), "dnsmasq.log")
    with open(path, errors="replace") as f:
        return f.read()


def test_each_guest_leases_from_its_own_host(hosts):
    a, b = hosts.guest_a, hosts.guest_b
    assert f"ip={a.ip} router={a.network.gateway}" in hosts.console(a)
    assert f"ip={b.ip} router={hosts.spec_b.gateway}" in hosts.console(b)
    assert a.network.gateway != hosts.spec_b.gateway
    # Both DHCP servers hear every broadcast; each answers only its own.
    log_a = _dhcp_log(hosts.plugin, a.network)
    log_b = _dhcp_log(hosts.plugin_b, hosts.spec_b)
    assert "DHCPACK" in log_a and a.mac in log_a
    assert "DHCPACK(" in log_b and b.mac in log_b
    assert not any("DHCPACK" in line and b.mac in line
                   for line in log_a.splitlines())
    assert not any("DHCPACK" in line and a.mac in line
                   for line in log_b.splitlines())
    # Two gateway veths on the one bridge, named per host.
    bridge = netfixtures.sh("ip", "-o", "link", "show", "master",
                            a.network.bridge).stdout
    for namespace in (hosts.opts.gateway_namespace,
                      hosts.plugin_b.gateway.namespace):
        outside, _ = names.gateway_ports(a.network.id, namespace)
        assert outside in bridge


def test_guests_of_two_hosts_reach_each_other_and_their_gateways(hosts):
    a, b = hosts.guest_a, hosts.guest_b
    rc, out = hosts.run(a, f"ping -c 2 -W 3 {b.ip}", timeout=90)
    assert rc == 0, out
    rc, out = hosts.run(a, "ip route", timeout=60)
    assert f"default via {a.network.gateway}" in out, out
    # Its own gateway answers; B's is on the same segment too.
    for gateway in (a.network.gateway, hosts.spec_b.gateway):
        rc, out = hosts.run(a, f"ping -c 2 -W 3 {gateway}", timeout=90)
        assert rc == 0, (gateway, out)
