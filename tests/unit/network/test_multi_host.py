"""multi_host as nova-network had it: the network service beside each
compute serves that host's guests, with its own gateway address taken
from the network, its own DHCP hosts and its own floating-IP NAT."""

import pytest

from nimbus.core.network import manager as network_manager
from nimbus.plugins.networks import fake
from tests.unit import workflow_fakes as wf
from tests.unit.network.conftest import Recorder


@pytest.fixture
def hosts(db_api, nimbus_conf):
    managers = {}
    for host in ("c-1", "c-2"):
        manager = network_manager.NetworkManager(
            nimbus_conf, host, db_api, driver=fake.FakeNetwork(nimbus_conf,
                                                               host))
        manager._network_rpc = Recorder()
        manager._compute_rpc = Recorder()
        managers[host] = manager
    yield managers
    for manager in managers.values():
        manager.cleanup_host()


def _boot(manager, net, host):
    instance = wf.create_instance(wf.user_context("p1"), host=host)
    (vif,) = manager.allocate_for_instance(
        wf.admin(), instance.uuid, "p1", host,
        [{"network_id": net["id"], "fixed_ip": None, "port_id": None}], [],
        f"vm-{host}")
    return instance, vif


def test_each_host_serves_its_own_guests_with_its_own_gateway(
        hosts, net_api, db_api, admin):
    net = net_api.create_network(admin, "mh", "10.60.0.0/24",
                                 multi_host=True)
    assert net["multi_host"] and net["host"] is None
    one, two = hosts["c-1"], hosts["c-2"]
    _a, a = _boot(one, net, "c-1")
    _b, b = _boot(two, net, "c-2")
    spec_1, ports_1 = one.driver.networks[net["id"]]
    spec_2, ports_2 = two.driver.networks[net["id"]]
    # Each host's DHCP server knows only its own guest.
    assert list(ports_1) == [a["id"]] and list(ports_2) == [b["id"]]
    # Each host's gateway is its own address of the network, reserved.
    gateways = {spec_1.gateway, spec_2.gateway}
    assert len(gateways) == 2 and "10.60.0.1" not in gateways
    taken = {a["fixed_ips"][0], b["fixed_ips"][0]}
    assert gateways.isdisjoint(taken)
    for host, spec in (("c-1", spec_1), ("c-2", spec_2)):
        (row,) = db_api.networks.get_fixed_ips(admin, net["id"],
                                               spec.gateway)
        assert (row["reserved"], row["gateway_host"], row["port_id"]) == \
            (True, host, None)
    # The guests' VIFs (what the compute and the metadata service see)
    # route through their own host.
    assert (a["network"]["gateway"], b["network"]["gateway"]) == \
        (spec_1.gateway, spec_2.gateway)
    assert (a["host"], b["host"]) == ("c-1", "c-2")
    # The address stays the host's: set up again, same gateway.
    one.setup_network(admin, net["id"])
    assert one.driver.networks[net["id"]][0].gateway == spec_1.gateway


def test_a_host_gateway_survives_a_pool_change(hosts, net_api, db_api,
                                               admin):
    net = net_api.create_network(admin, "mh", "10.61.0.0/24",
                                 multi_host=True)
    _boot(hosts["c-1"], net, "c-1")
    gateway = hosts["c-1"].driver.networks[net["id"]][0].gateway
    db_api.networks.set_reserved(admin, net["id"], ["10.61.0.0"])
    (row,) = db_api.networks.get_fixed_ips(admin, net["id"], gateway)
    assert row["reserved"] and row["gateway_host"] == "c-1"


def test_the_gateway_host_of_each_cast_is_the_guests_host(hosts, net_api,
                                                         admin):
    net = net_api.create_network(admin, "mh", "10.62.0.0/24",
                                 multi_host=True)
    # Allocation on c-1 for a guest of c-2: the gateway side is c-2's.
    _instance, vif = _boot(hosts["c-1"], net, "c-2")
    assert hosts["c-1"].driver.networks == {}
    assert hosts["c-1"].network_rpc.named("setup_network")[-1][2] == \
        {"host": "c-2"}
    assert vif["host"] == "c-2"
    assert vif["network"]["gateway"] != "10.62.0.1"
