"""The Linux network plugins' pure parts and the exact commands they
run (the real-packet tests are in tests/integration/libvirt/test_network_*;
these cover what this kernel cannot run: 802.1Q devices)."""

import contextlib
import ipaddress
from unittest import mock

import pytest
from oslo_config import cfg

from nimbus.core import exception, privileged
from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import (
    conf as linux_conf,
)
from nimbus.plugins.networks.linux import (
    driver,
    gateway,
    groups,
    iptables_firewall,
    l2,
    names,
    ovs_firewall,
)
from nimbus.plugins.networks.linux.privileged import (
    dnsmasq,
    iproute,
    netfilter,
    ovs,
)

NET = "6f1d2c3e-1111-4000-8000-000000000001"
PORT = "0a1b2c3d-2222-4000-8000-000000000002"


def _raw(entrypoint):
    """The function behind a privsep entrypoint, to run in-process with
    ``privileged.execute`` replaced."""
    return entrypoint.args[0]


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default="/tmp/nimbus-ut"))
    linux_conf.register_opts(conf)
    conf([], project="nimbus-test", default_config_files=[])
    for name, value in overrides.items():
        conf.set_override(name, value, group="linux_net")
    return conf


def _network(**kw):
    values = dict(id=NET, name="a", cidr="10.9.1.0/24", gateway="10.9.1.1",
                  bridge="br100", vlan=101, metadata_host="127.0.0.1",
                  metadata_port=8775)
    values.update(kw)
    return net_if.NetworkSpec(**values)


def _port(**kw):
    values = dict(id=PORT, network_id=NET, mac="FA:16:3E:00:00:05",
                  fixed_ips=["10.9.1.5"], hostname="web-1")
    values.update(kw)
    return net_if.PortSpec(**values)


# -- OpenFlow security groups --------------------------------------------------

@pytest.mark.parametrize("low,high", [(1, 1), (80, 80), (8080, 8090),
                                      (1, 65535), (1000, 1999), (7, 9)])
def test_port_masks_cover_the_range_exactly(low, high):
    covered = set()
    for term in ovs_firewall.port_masks(low, high):
        if "/" in term:
            value, mask = (int(x, 16) for x in term.split("/"))
            covered |= {p for p in range(65536) if p & mask == value}
        else:
            covered.add(int(term))
    assert covered == set(range(low, high + 1))


def test_rule_matches():
    rule = net_if.FirewallRule
    assert ovs_firewall.rule_matches(
        rule("ingress", "tcp", 22, 22, "10.0.0.0/8"), "ingress") == \
        ["tcp,nw_src=10.0.0.0/8,tp_dst=22"]
    assert ovs_firewall.rule_matches(rule("egress", "icmp", 8, 0),
                                     "egress") == \
        ["icmp,icmp_type=8,icmp_code=0"]
    assert ovs_firewall.rule_matches(rule("egress"), "egress") == ["ip"]
    assert ovs_firewall.rule_matches(
        rule("ingress", "udp", remote_cidr="1.2.3.0/24"), "ingress") == \
        ["udp,nw_src=1.2.3.0/24"]
    assert ovs_firewall.rule_matches(rule("ingress", ethertype="IPv6"),
                                     "ingress") == []
    with pytest.raises(exception.NetworkPluginError):
        ovs_firewall.rule_matches(rule("ingress", "bogus"), "ingress")


def test_port_flows_anti_spoofing_and_rules():
    pf = net_if.PortFilter(port=_port(), rules=[
        net_if.FirewallRule("ingress", "icmp"),
        net_if.FirewallRule("egress")])
    flows = ovs_firewall.port_flows(7, pf)
    mac = "fa:16:3e:00:00:05"
    assert ("table=0,priority=100,in_port=7,actions=load:7->"
            "NXM_NX_REG6[0..15],resubmit(,1)") in flows
    assert f"table=3,priority=100,ipv6,dl_dst={mac},actions=drop" in flows
    assert (f"table=1,priority=90,in_port=7,ip,dl_src={mac},"
            "nw_src=10.9.1.5,actions=ct(table=2,zone=7)") in flows
    assert (f"table=1,priority=100,in_port=7,arp,dl_src={mac},"
            f"arp_sha={mac},arp_spa=10.9.1.5,actions=resubmit(,3)") in flows
    assert "table=1,priority=10,in_port=7,actions=drop" in flows
    assert (f"table=4,priority=50,ct_state=+new+trk,icmp,dl_dst={mac},"
            "actions=ct(commit,zone=7),NORMAL") in flows
    assert f"table=4,priority=10,dl_dst={mac},actions=drop" in flows
    for flow in flows:
        assert ovs._FLOW.match(flow), flow


def test_port_flows_before_the_tap_exists_drop_traffic_to_it():
    flows = ovs_firewall.port_flows(None, net_if.PortFilter(port=_port()))
    assert flows == ["table=3,priority=100,dl_dst=fa:16:3e:00:00:05,"
                     "actions=drop",
                     "table=0,priority=50,udp,dl_src=fa:16:3e:00:00:05,"
                     "nw_src=0.0.0.0,tp_src=68,tp_dst=67,"
                     "actions=resubmit(,3)"]


def test_unknown_ports_are_dropped_own_ports_let_through():
    base = ovs_firewall.base_flows()
    assert "table=0,priority=1,actions=drop" in base
    assert "table=0,priority=5,in_port=LOCAL,actions=resubmit(,3)" in base
    assert ovs_firewall.trusted_flows({3, 1}) == [
        "table=0,priority=5,in_port=1,actions=resubmit(,3)",
        "table=0,priority=5,in_port=3,actions=resubmit(,3)"]
    assert names.is_tap(names.tap(PORT)) and not names.is_tap("gb-1234")


def test_remote_group_rules_are_conjunctions_shared_by_ports():
    group, other = "g-1", "g-2"
    pf = net_if.PortFilter(port=_port(), rules=[
        net_if.FirewallRule("ingress", remote_group_id=group),
        net_if.FirewallRule("ingress", remote_group_id=other),
        net_if.FirewallRule("ingress", "tcp", 22, 22, remote_group_id=group),
        net_if.FirewallRule("egress", "udp", remote_group_id=group)])
    flows = ovs_firewall.port_flows(7, pf)
    mac = "fa:16:3e:00:00:05"
    cin = ovs_firewall.conj_id(group, "ingress")
    oin = ovs_firewall.conj_id(other, "ingress")
    ceg = ovs_firewall.conj_id(group, "egress")
    assert len({cin, oin, ceg}) == 3
    # Two rules with one match: one flow in both conjunctions.
    both = ",".join(f"conjunction({c},1/2)" for c in sorted((cin, oin)))
    assert (f"table=4,priority=40,ct_state=+new+trk,ip,dl_dst={mac},"
            f"actions={both}") in flows
    assert (f"table=4,priority=40,ct_state=+new+trk,tcp,tp_dst=22,"
            f"dl_dst={mac},actions=conjunction({cin},1/2)") in flows
    assert (f"table=2,priority=40,in_port=7,ct_state=+new+trk,udp,"
            f"actions=conjunction({ceg},1/2)") in flows
    # Members: one flow per address and table, every group it is in.
    members = ovs_firewall.member_flows("10.9.1.8", {group, other})
    assert members[0] == ("table=4,priority=40,ip,nw_src=10.9.1.8,actions="
                          + ",".join(f"conjunction({c},2/2)"
                                     for c in sorted((cin, oin))))
    oeg = ovs_firewall.conj_id(other, "egress")
    assert members[1] == ("table=2,priority=40,ip,nw_dst=10.9.1.8,actions="
                          + ",".join(f"conjunction({c},2/2)"
                                     for c in sorted((ceg, oeg))))
    assert ovs_firewall.member_flows("10.9.1.8", set()) == []
    shared = ovs_firewall.group_flows(group)
    assert (f"table=4,priority=40,conj_id={cin},ip,actions=ct(commit,"
            "zone=NXM_NX_REG6[0..15]),NORMAL") in shared
    for flow in flows + members + shared:
        assert ovs._FLOW.match(flow), flow


def test_member_sets_report_what_changed():
    sets = groups.MemberSets()
    assert sets.replace("g", ["10.0.0.1", "10.0.0.2"]) == (
        True, ["10.0.0.1", "10.0.0.2"])
    assert sets.replace("h", ["10.0.0.2"]) == (True, ["10.0.0.2"])
    assert sets.replace("g", ["10.0.0.2", "10.0.0.3"]) == (
        False, ["10.0.0.1", "10.0.0.3"])
    assert sets.groups_of("10.0.0.2") == {"g", "h"}
    assert sets.groups_of("10.0.0.1") == set()
    assert sets.addresses() == ["10.0.0.2", "10.0.0.3"]


def test_flow_text_cannot_carry_a_second_command():
    assert not ovs._FLOW.match("table=0,actions=drop\ndelete")
    assert not ovs._FLOW.match("table=0;reboot")


# -- iptables security groups (linuxbridge) -----------------------------------

def test_iptables_port_chains():
    pf = net_if.PortFilter(port=_port(), rules=[
        net_if.FirewallRule("ingress", "tcp", 8080, 8081),
        net_if.FirewallRule("ingress", "icmp", 8),
        net_if.FirewallRule("egress", remote_cidr="10.0.0.0/8")])
    chains = iptables_firewall.port_rules("nt", pf)
    spoof, egress, ingress = iptables_firewall.port_chains("nt", PORT)
    assert chains[spoof][0] == ["-m", "mac", "!", "--mac-source",
                                "fa:16:3e:00:00:05", "-j", "DROP"]
    assert ["-s", "10.9.1.5/32", "-j", "RETURN"] in chains[spoof]
    assert chains[spoof][-1] == ["-j", "DROP"]
    assert ["-d", "10.0.0.0/8", "-j", "RETURN"] in chains[egress]
    assert ["-p", "tcp", "--dport", "8080:8081", "-j", "ACCEPT"] in \
        chains[ingress]
    assert ["-p", "icmp", "--icmp-type", "8", "-j", "ACCEPT"] in \
        chains[ingress]
    for name, rules in chains.items():
        assert netfilter._CHAIN.match(name)
        for rule in rules:
            assert all(netfilter._IPT_WORD.match(w) for w in rule), rule
    grouped = iptables_firewall.port_rules("nt", net_if.PortFilter(
        port=_port(), rules=[net_if.FirewallRule(
            "ingress", "tcp", 22, 22, remote_group_id="g-1")]))
    assert ["-p", "tcp", "--dport", "22:22", "-m", "set", "--match-set",
            names.ipset("nt", "g-1"), "src", "-j", "ACCEPT"] in \
        grouped[ingress]
    assert len(names.ipset("nimbus-12345", "g-1") + "-n") <= 31
    top = iptables_firewall.top_rules("nt", {PORT})["nt-sg"]
    tap = "tap" + PORT[:11]
    assert [r[-1] for r in top] == [spoof, egress, ingress, "ACCEPT"]
    assert all(tap in r for r in top)


# -- gateway ------------------------------------------------------------------

def test_dnsmasq_hosts_lines():
    ports = [_port(), _port(id="p2", mac="fa:16:3e:00:00:01",
                            fixed_ips=["10.9.1.9"], hostname="9bad name!")]
    assert gateway.hosts_lines(ports) == [
        "fa:16:3e:00:00:01,10.9.1.9",
        "fa:16:3e:00:00:05,10.9.1.5,web-1"]


def test_dnsmasq_argv():
    argv = dnsmasq.dnsmasq_argv("/var/lib/nimbus/dhcp/n1", "gw-6f1d2c3e-11",
                                "10.9.1.1", "255.255.255.0", "10.9.1.2", 600,
                                ["10.0.0.53"], 1450)
    assert "--dhcp-range=10.9.1.2,static,255.255.255.0,600s" in argv
    assert "--dhcp-hostsfile=/var/lib/nimbus/dhcp/n1/hosts" in argv
    assert "--dhcp-option=option:router,10.9.1.1" in argv
    assert "--dhcp-option=option:dns-server,10.0.0.53" in argv
    assert "--dhcp-option=option:mtu,1450" in argv
    assert "--port=0" in argv  # DHCP only, no DNS server


@pytest.fixture
def fake_priv():
    recorder = mock.MagicMock()
    recorder.dnsmasq_argv = dnsmasq.dnsmasq_argv
    recorder.dnsmasq_running.return_value = None
    recorder.iptables_save.return_value = ""
    recorder.namespace_exists.return_value = True
    recorder.ovs_ofports.return_value = {}
    # The recorder stands in for every privileged module the gateway and
    # the layer-2 backends call (the entrypoint names do not overlap).
    with contextlib.ExitStack() as stack:
        for module, attrs in ((gateway, ("iproute", "netfilter", "dnsmasq")),
                              (l2, ("iproute", "netfilter", "ovs"))):
            for attr in attrs:
                stack.enter_context(
                    mock.patch.object(module, attr, recorder))
        # No poller thread outliving the patch.
        stack.enter_context(mock.patch.object(l2.OvsBackend,
                                              "_start_poller"))
        yield recorder


def _nat_chains(fake_priv):
    chains = {}
    for call in fake_priv.iptables_replace.call_args_list:
        ns, table, given = call.args[:3]
        if table == "nat":
            chains.update(given)
    return chains


def test_setup_network_forwards_metadata_without_snat(fake_priv, tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), external_bridge="brx",
                 external_address="172.24.4.2/24", gateway_namespace="gwns")
    plugin = driver.VlanNetwork(conf, "h1")
    plugin.setup_network(_network(), [_port()])
    chains = _nat_chains(fake_priv)
    cid = names.chain_id(NET)
    assert chains[f"n{cid}-pre"] == [[
        "-i", "gw-6f1d2c3e-11", "-d", "169.254.169.254/32", "-p", "tcp",
        "--dport", "80", "-j", "DNAT", "--to-destination", "127.0.0.1:8775"]]
    # Guests leave by SNAT only towards the external network.
    md_host, md_ns = names.metadata_link("gwns")
    _ext_bridge_side, ext_ns = names.external_link("gwns")
    assert chains[f"n{cid}-post"] == [[
        "-s", "10.9.1.0/24", "-o", ext_ns, "-j", "SNAT", "--to-source",
        "172.24.4.2"]]
    # The reply route from the host to the guests.
    host_ip, ns_ip, _ = names.metadata_link_addresses("gwns")
    fake_priv.replace_route.assert_any_call("10.9.1.0/24", ns_ip, md_host)
    fake_priv.replace_route.assert_any_call("127.0.0.1/32", host_ip, md_ns,
                                            "gwns")
    # The gateway's port is an access port of VLAN 101 on br-int.
    fake_priv.ovs_add_port.assert_any_call("br-int", "gb-6f1d2c3e-11", 101)
    assert (tmp_path / NET / "hosts").read_text() == \
        "fa:16:3e:00:00:05,10.9.1.5,web-1\n"
    fake_priv.dnsmasq_start.assert_called_once()


def test_setup_network_again_only_hangs_up_dnsmasq_on_change(fake_priv,
                                                            tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), gateway_namespace="gwns")
    plugin = driver.VlanNetwork(conf, "h1")
    network = _network()
    plugin.setup_network(network, [_port()])
    argv = fake_priv.dnsmasq_start.call_args
    running = dnsmasq.dnsmasq_argv(
        str(tmp_path / NET), "gw-6f1d2c3e-11", "10.9.1.1", "255.255.255.0",
        "10.9.1.2", 86400)
    fake_priv.dnsmasq_running.return_value = [123, running]
    fake_priv.dnsmasq_start.reset_mock()
    plugin.setup_network(network, [_port()])
    fake_priv.dnsmasq_signal.assert_not_called()
    plugin.setup_network(network, [_port(), _port(id="p2",
                                                  mac="fa:16:3e:00:00:07",
                                                  fixed_ips=["10.9.1.7"])])
    fake_priv.dnsmasq_signal.assert_called_once_with(
        str(tmp_path / NET / "pid"), True)
    fake_priv.dnsmasq_start.assert_not_called()
    assert argv is not None


def test_port_updates_give_the_hosts_file_of_the_whole_state(fake_priv,
                                                             tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), gateway_namespace="gwns")
    plugin = driver.VlanNetwork(conf, "h1")
    network = _network()
    one = _port()
    two = _port(id="p2", mac="fa:16:3e:00:00:02", fixed_ips=["10.9.1.7"],
                hostname=None)
    heir = _port(id="p3", mac="fa:16:3e:00:00:09", fixed_ips=["10.9.1.7"],
                 hostname="db.example.org")
    plugin.setup_network(network, [one])
    running = dnsmasq.dnsmasq_argv(
        str(tmp_path / NET), "gw-6f1d2c3e-11", "10.9.1.1", "255.255.255.0",
        "10.9.1.2", 86400)
    fake_priv.dnsmasq_running.return_value = [123, running]
    fake_priv.reset_mock()
    hosts = tmp_path / NET / "hosts"

    plugin.update_ports(network, [two], [])
    assert hosts.read_text() == "fa:16:3e:00:00:02,10.9.1.7\n" \
                                "fa:16:3e:00:00:05,10.9.1.5,web-1\n"
    # Only dnsmasq is told: no link, address or rule is touched.
    assert [c[0] for c in fake_priv.method_calls] == [
        "dnsmasq_running", "dnsmasq_signal"]
    fake_priv.dnsmasq_signal.assert_called_once_with(
        str(tmp_path / NET / "pid"), True)
    plugin.update_ports(network, [two], [])  # served as it is
    fake_priv.dnsmasq_signal.assert_called_once()
    # A new port with two's address (its records moved) and one gone:
    # the file setup_network writes for the ports now served.
    plugin.update_ports(network, [heir], [one])
    after = hosts.read_text()
    plugin.setup_network(network, [heir])
    assert after == hosts.read_text() == "fa:16:3e:00:00:09,10.9.1.7,db\n"


def test_a_port_update_ends_the_leases_of_removed_ports(fake_priv,
                                                        tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), gateway_namespace="gwns")
    plugin = driver.FlatDHCPNetwork(conf, "h1")
    network = _network(vlan=None)
    two = _port(id="p2", mac="fa:16:3e:00:00:02", fixed_ips=["10.9.1.7"])
    plugin.setup_network(network, [_port(), two])
    (tmp_path / NET / "leases").write_text(
        "4102444800 fa:16:3e:00:00:05 10.9.1.5 web-1 *\n"
        "4102444800 fa:16:3e:00:00:02 10.9.1.7 web-1 *\n")
    fake_priv.dnsmasq_running.return_value = [123, dnsmasq.dnsmasq_argv(
        str(tmp_path / NET), "gw-6f1d2c3e-11", "10.9.1.1", "255.255.255.0",
        "10.9.1.2", 86400)]
    fake_priv.reset_mock()
    plugin.update_ports(network, [], [net_if.PortSpec(
        id="p2", network_id=NET, mac="FA:16:3E:00:00:02")])
    # dnsmasq is stopped, the lease dropped from its file, and started.
    fake_priv.dnsmasq_signal.assert_called_once_with(
        str(tmp_path / NET / "pid"), False)
    assert (tmp_path / NET / "leases").read_text() == \
        "4102444800 fa:16:3e:00:00:05 10.9.1.5 web-1 *\n"
    fake_priv.dnsmasq_start.assert_called_once()


def test_flat_networks_have_nothing_to_update_per_port(fake_priv,
                                                       tmp_path):
    plugin = driver.FlatNetwork(_conf(dhcp_dir=str(tmp_path)), "h1")
    plugin.setup_network(_network(vlan=None), [_port()])
    fake_priv.reset_mock()
    plugin.update_ports(_network(vlan=None), [_port(id="p2")], [_port()])
    assert fake_priv.method_calls == []


def test_floating_ip_nat(fake_priv, tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), external_bridge="brx",
                 gateway_namespace="gwns")
    plugin = driver.FlatDHCPNetwork(conf, "h1")
    ext = _network(id="ext", cidr="172.24.4.0/24", external=True, vlan=None)
    floating = net_if.FloatingSpec(address="172.24.4.10",
                                   fixed_address="10.9.1.5",
                                   external_network=ext,
                                   network=_network(vlan=None))
    plugin.add_floating_ip(floating)
    _bridge_side, ext_ns = names.external_link("gwns")
    fake_priv.iptables_rule_add.assert_any_call(
        "gwns", "nat", "fip-pre",
        ["-d", "172.24.4.10/32", "-j", "DNAT", "--to-destination",
         "10.9.1.5"])
    fake_priv.iptables_rule_add.assert_any_call(
        "gwns", "nat", "fip-post",
        ["-s", "10.9.1.5/32", "-o", ext_ns, "-j", "SNAT", "--to-source",
         "172.24.4.10"])
    fake_priv.add_address.assert_any_call(ext_ns, "172.24.4.10/32", "gwns")
    plugin.remove_floating_ip(floating)
    fake_priv.del_address.assert_called_with(ext_ns, "172.24.4.10/32",
                                             "gwns")


def test_floating_ip_without_external_bridge_is_an_error(fake_priv):
    plugin = driver.FlatDHCPNetwork(_conf(), "h1")
    with pytest.raises(exception.NetworkPluginError, match="external"):
        plugin.add_floating_ip(mock.Mock())


# -- plugins ------------------------------------------------------------------

def test_capabilities_are_honest():
    assert driver.FlatNetwork.capabilities.dhcp is False
    assert driver.FlatDHCPNetwork.capabilities.dhcp is True
    assert driver.FlatDHCPNetwork.capabilities.vlan is False
    assert driver.VlanNetwork.capabilities.vlan is True
    for cls in (driver.FlatNetwork, driver.FlatDHCPNetwork,
                driver.VlanNetwork):
        caps = cls.capabilities
        assert caps.security_groups and caps.floating_ips and caps.metadata
        assert caps.multi_host is True


def test_vlan_plugin_needs_a_vlan_and_flat_refuses_one(fake_priv):
    with pytest.raises(exception.NetworkPluginError, match="no VLAN"):
        driver.VlanNetwork(_conf(), "h1").plug_vif(_network(vlan=None),
                                                   _port())
    with pytest.raises(exception.NetworkPluginError, match="VLAN 101"):
        driver.FlatDHCPNetwork(_conf(), "h1").plug_vif(_network(), _port())


def test_plug_vif_on_ovs_is_a_tagged_port_of_the_integration_bridge(
        fake_priv):
    vif = driver.VlanNetwork(_conf(), "h1").plug_vif(_network(mtu=1400),
                                                     _port())
    assert (vif.kind, vif.bridge, vif.vlan, vif.mtu) == \
        ("ovs", "br-int", 101, 1400)
    assert (vif.id, vif.mac) == (PORT, "FA:16:3E:00:00:05")
    assert vif.device_name == names.tap(PORT)


def test_plug_vif_on_linux_bridge_vlan_uses_a_vlan_device(fake_priv):
    conf = _conf(l2_backend="linuxbridge", vlan_interface="eth9")
    vif = driver.VlanNetwork(conf, "h1").plug_vif(_network(), _port())
    assert (vif.kind, vif.bridge, vif.vlan) == ("bridge", "br100", None)
    fake_priv.bridge_ensure.assert_called_once_with("br100")
    fake_priv.vlan_device_ensure.assert_called_once_with("eth9", 101,
                                                         "vlan101")
    fake_priv.bridge_add_port.assert_called_once_with("br100", "vlan101")


def test_linux_bridge_vlan_commands():
    """The exact commands of the 802.1Q path (this kernel has no 8021q)."""
    calls = []

    def execute(*argv, **kwargs):
        calls.append(argv)
        return ("", "") if argv[:3] == ("ip", "link", "show") else ("", "")

    with mock.patch.object(privileged, "execute", execute):
        _raw(iproute.vlan_device_ensure)("eth9", 101, "vlan101")
        _raw(iproute.bridge_ensure)("br100")
        _raw(iproute.bridge_add_port)("br100", "vlan101")
    assert calls == [
        ("ip", "link", "show", "dev", "vlan101"),
        ("ip", "link", "add", "link", "eth9", "name", "vlan101", "type",
         "vlan", "id", 101),
        ("ip", "link", "set", "dev", "vlan101", "up"),
        ("ip", "link", "show", "dev", "br100"),
        ("ip", "link", "add", "br100", "type", "bridge", "stp_state", "0",
         "forward_delay", "0"),
        ("ip", "link", "set", "dev", "br100", "up"),
        ("ip", "link", "set", "dev", "vlan101", "master", "br100"),
        ("ip", "link", "set", "dev", "vlan101", "up")]


def test_entrypoints_refuse_bad_arguments():
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        _raw(iproute.vlan_device_ensure)("eth9", 5000, "vlan5000")
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        _raw(iproute.set_sysctl)(None, "kernel.core_pattern", 1)
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        _raw(netfilter.iptables_replace)(
            "ns", "nat", {"c": [["-j", "ACCEPT\n-A INPUT"]]})
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        _raw(netfilter.iptables_replace)("ns", "nat", {"INPUT": []})
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        _raw(ovs.ovs_add_port)("br-int", "-evil", 1)


def test_metadata_link_addresses_are_a_link_local_slash_30():
    host, ns, prefix = names.metadata_link_addresses("nimbus-gw")
    net = ipaddress.ip_network(f"{host}/{prefix}", strict=False)
    assert ipaddress.ip_address(ns) in net and prefix == 30
    assert net.subnet_of(ipaddress.ip_network("169.254.64.0/18"))
    assert names.metadata_link_addresses("other")[0] != host
