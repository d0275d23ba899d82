"""The Linux plugins' DHCP leases: read from dnsmasq's lease file, and
ended (pruned while dnsmasq is stopped) when a port is no longer served."""

import time

from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import driver, gateway
from nimbus.plugins.networks.linux.privileged import dnsmasq
from tests.unit.plugins.test_linux_network import (  # noqa: F401 (fixture)
    NET,
    _conf,
    _network,
    _port,
    fake_priv,
)


def _lease_file(tmp_path, *lines):
    netdir = tmp_path / NET
    netdir.mkdir(exist_ok=True)
    (netdir / "leases").write_text("".join(f"{line}\n" for line in lines))
    return netdir / "leases"


def test_lease_file_parsing_skips_expired_ipv6_and_garbage(tmp_path):
    path = _lease_file(
        tmp_path,
        "2000000000 FA:16:3E:00:00:05 10.9.1.5 web-1 01:fa:16:3e:00:00:05",
        "100 fa:16:3e:00:00:06 10.9.1.6 * *",           # expired
        "0 fa:16:3e:00:00:07 10.9.1.7 * *",             # infinite
        "duid 00:01:00:01:2a:3b",
        "2000000000 1234 fd00::5 * *",
        "not a lease")
    assert gateway.read_leases(str(path), now=1000) == [
        net_if.Lease("fa:16:3e:00:00:05", "10.9.1.5", 2000000000),
        net_if.Lease("fa:16:3e:00:00:07", "10.9.1.7", None)]
    assert gateway.read_leases(str(tmp_path / "missing")) == []


def test_plugin_reports_leases_and_flat_has_none(tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path))
    _lease_file(tmp_path, f"{int(time.time()) + 600} fa:16:3e:00:00:05 "
                          "10.9.1.5 * *")
    (lease,) = driver.VlanNetwork(conf, "h1").get_leases(_network())
    assert (lease.mac, lease.address) == ("fa:16:3e:00:00:05", "10.9.1.5")
    assert driver.VlanNetwork(conf, "h1").get_leases(
        _network(id="other")) == []
    try:
        driver.FlatNetwork(conf, "h1").get_leases(_network(vlan=None))
    except Exception as err:
        assert type(err).__name__ == "UnsupportedOperation"
    else:
        raise AssertionError("flat has no DHCP leases")


def test_a_gone_ports_lease_is_ended_with_dnsmasq_stopped(fake_priv,  # noqa: F811
                                                          tmp_path):
    conf = _conf(dhcp_dir=str(tmp_path), gateway_namespace="gwns")
    plugin = driver.VlanNetwork(conf, "h1")
    network = _network()
    kept = _port(id="p2", mac="fa:16:3e:00:00:07", fixed_ips=["10.9.1.7"])
    plugin.setup_network(network, [_port(), kept])
    running = fake_priv.dnsmasq_start.call_args.args
    fake_priv.dnsmasq_running.return_value = [
        123, dnsmasq.dnsmasq_argv(*running[1:])]
    expiry = int(time.time()) + 600
    path = _lease_file(
        tmp_path, f"{expiry} fa:16:3e:00:00:05 10.9.1.5 web-1 *",
        f"{expiry} fa:16:3e:00:00:07 10.9.1.7 * *")
    fake_priv.dnsmasq_start.reset_mock()
    # Same ports: dnsmasq is left alone, the leases too.
    plugin.setup_network(network, [_port(), kept])
    fake_priv.dnsmasq_start.assert_not_called()
    assert len(path.read_text().splitlines()) == 2
    # The first port is gone: dnsmasq is stopped, its lease dropped from
    # the file, dnsmasq started again.
    fake_priv.dnsmasq_running.side_effect = [
        [123, dnsmasq.dnsmasq_argv(*running[1:])], None]
    plugin.setup_network(network, [kept])
    fake_priv.dnsmasq_signal.assert_called_with(
        str(tmp_path / NET / "pid"), False)
    fake_priv.dnsmasq_start.assert_called_once()
    assert path.read_text() == f"{expiry} fa:16:3e:00:00:07 10.9.1.7 * *\n"
    assert [le.address for le in plugin.get_leases(network)] == ["10.9.1.7"]
