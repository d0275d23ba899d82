"""NetworkAPI: a network created without its subnet (Neutron's ``network
create`` before ``subnet create``) and given it later by set_subnet."""

import pytest

from nimbus.core import exception


def test_a_network_without_subnet_has_no_addresses_until_set(net_api,
                                                             admin):
    net = net_api.create_network(admin, "later", None, project_id="p1")
    assert net["cidr"] is None and net["gateway"] is None
    assert net_api.db.networks.get_fixed_ips(admin, net["id"]) == []
    assert not net_api.network_rpc.named("setup_network")
    # Several may wait for their subnet at once.
    other = net_api.create_network(admin, "later-too", None)
    assert other["cidr"] is None

    net = net_api.set_subnet(admin, net["id"], "10.8.0.0/24",
                             dns_servers=["192.0.2.53"], subnet_name="s")
    assert (net["cidr"], net["gateway"], net["subnet_name"]) == \
        ("10.8.0.0/24", "10.8.0.1", "s")
    assert net["dns_servers"] == ["192.0.2.53"]
    assert len(net_api.db.networks.get_fixed_ips(admin, net["id"])) == 256
    assert net_api.network_rpc.named("setup_network")
    with pytest.raises(exception.Conflict, match="already has subnet"):
        net_api.set_subnet(admin, net["id"], "10.9.0.0/24")
    # Overlap with it is refused like any other.
    with pytest.raises(exception.InvalidCidr):
        net_api.set_subnet(admin, other["id"], "10.8.0.0/16")
    assert net_api.get_network(admin, other["id"])["cidr"] is None


def test_set_subnet_is_a_compare_and_swap(net_api, admin):
    net = net_api.create_network(admin, "race", None)
    net_api.db.networks.set_subnet(admin, net["id"], {"cidr": "10.10.0.0/24"})
    with pytest.raises(exception.Conflict):
        net_api.db.networks.set_subnet(admin, net["id"],
                                       {"cidr": "10.11.0.0/24"},
                                       [("10.11.0.1", False)])
    assert net_api.db.networks.get_fixed_ips(admin, net["id"]) == []


def test_an_external_network_gets_its_pool_with_its_subnet(net_api, admin,
                                                          alice):
    ext = net_api.create_network(admin, "public", None, external=True)
    with pytest.raises(exception.NoMoreFloatingIps):
        net_api.create_floating_ip(alice, ext["id"])
    net_api.set_subnet(admin, ext["id"], "172.24.8.0/29")
    fip = net_api.create_floating_ip(alice, ext["id"])
    assert fip["floating_ip_address"].startswith("172.24.8.")


def test_servers_and_ports_cannot_use_a_network_without_subnet(
        net_api, admin, alice):
    net = net_api.create_network(admin, "later", None, project_id="p1")
    with pytest.raises(exception.InvalidInput, match="no subnet"):
        net_api.create_port(alice, net["id"])
    with pytest.raises(exception.InvalidNetworkRequest, match="no subnet"):
        net_api.validate_requested_networks(alice, "p1",
                                            [{"uuid": net["id"]}])
    # Not one a server without networks joins (nor one "auto" gives).
    assert net_api.validate_requested_networks(alice, "p1", None) == []
    with pytest.raises(exception.UnableToAutoAllocateNetwork):
        net_api.validate_requested_networks(alice, "p1", "auto")
    with pytest.raises(exception.InvalidInput):
        net_api.create_network(admin, "x", None, gateway="10.0.0.1")
    net_api.delete_network(admin, net["id"])
    assert not net_api.network_rpc.named("teardown_network")


def test_nimbus_network_serves_a_network_once_it_has_its_subnet(
        db_api, nimbus_conf, net_api, admin):
    from nimbus.core.network import manager as network_manager
    from nimbus.plugins.networks import fake
    from tests.unit.network.conftest import Recorder
    plugin = fake.FakeNetwork(nimbus_conf, "net-1")
    mgr = network_manager.NetworkManager(nimbus_conf, "net-1", db_api,
                                         driver=plugin)
    mgr._network_rpc, mgr._compute_rpc = Recorder(), Recorder()
    try:
        net = net_api.create_network(admin, "later", None)
        mgr.init_host()
        assert net["id"] not in plugin.networks
        net_api.set_subnet(admin, net["id"], "10.12.0.0/24")
        mgr.init_host()
        assert plugin.networks[net["id"]][0].cidr == "10.12.0.0/24"
    finally:
        mgr.cleanup_host()
