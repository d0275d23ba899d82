"""DHCP leases reported back (issue 9): nimbus-network polls the plugin's
leases and keeps the fixed IPs' ``leased`` flags true; a deleted server's
address stays out of allocation while its lease is live and is free once
the lease ends (nova-network's deallocated-but-leased rule)."""

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.network import manager as network_manager
from nimbus.plugins.networks import fake
from tests.unit import workflow_fakes as wf
from tests.unit.network.conftest import Recorder


def _manager(db_api, conf, host):
    plugin = fake.FakeNetwork(conf, host)
    manager = network_manager.NetworkManager(conf, host, db_api,
                                             driver=plugin)
    manager._network_rpc = Recorder()
    manager._compute_rpc = Recorder()
    return manager


@pytest.fixture
def mgr(db_api, nimbus_conf):
    manager = _manager(db_api, nimbus_conf, "net-1")
    yield manager
    manager.cleanup_host()


def _boot(mgr, net, name="vm"):
    instance = wf.create_instance(wf.user_context("p1"), host="c-1")
    (vif,) = mgr.allocate_for_instance(
        wf.admin(), instance.uuid, "p1", "c-1",
        [{"network_id": net["id"], "fixed_ip": None, "port_id": None}], [],
        name)
    return instance, vif


def _row(db_api, net, address):
    (row,) = db_api.networks.get_fixed_ips(wf.admin(), net["id"], address)
    return row


def test_a_lease_is_recorded_and_its_release_too(mgr, net_api, db_api,
                                                 admin):
    net = net_api.create_network(admin, "private", "10.50.0.0/29")
    _instance, vif = _boot(mgr, net)
    address = vif["fixed_ips"][0]
    mgr.sync_leases()
    assert not _row(db_api, net, address)["leased"]
    mgr.driver.lease(net["id"], vif["mac"], address)
    mgr.sync_leases()
    row = _row(db_api, net, address)
    assert (row["leased"], row["lease_host"]) == (True, "net-1")
    mgr.driver.release(net["id"], vif["mac"])
    mgr.sync_leases()
    row = _row(db_api, net, address)
    assert (row["leased"], row["lease_host"], row["port_id"]) == \
        (False, None, vif["id"])


def test_a_deleted_servers_leased_address_waits_for_the_lease_end(
        mgr, net_api, db_api, admin):
    # /29: 6 host addresses, the gateway takes one: 5 to hand out.
    net = net_api.create_network(admin, "private", "10.51.0.0/29")
    instance, vif = _boot(mgr, net)
    address = vif["fixed_ips"][0]
    mgr.driver.lease(net["id"], vif["mac"], address)
    mgr.sync_leases()
    mgr.deallocate_for_instance(admin, instance.uuid, "c-1")
    row = _row(db_api, net, address)
    assert (row["port_id"], row["instance_uuid"], row["leased"]) == \
        (None, None, True)
    assert db_api.networks.count_free(admin, net["id"]) == 4
    # Not handed out, neither on request nor automatically.
    with pytest.raises(exception.FixedIpAlreadyInUse):
        db_api.networks.allocate_fixed_ip(admin, net["id"], "p", "i",
                                          address=address)
    taken = {_boot(mgr, net, f"vm{i}")[1]["fixed_ips"][0] for i in range(4)}
    assert address not in taken and len(taken) == 4
    with pytest.raises(messaging.ExpectedException) as info:
        _boot(mgr, net, "one-too-many")
    assert isinstance(info.value.exc_info[1], exception.NoMoreFixedIps)
    # The plugin ended the gone port's lease (setup_network without it):
    # the next sync frees the address.
    assert mgr.driver.get_leases(mgr._spec(db_api.networks.get(
        admin, net["id"]))) == []
    mgr.sync_leases()
    row = _row(db_api, net, address)
    assert (row["leased"], row["port_id"]) == (False, None)
    assert db_api.networks.count_free(admin, net["id"]) == 1
    assert _boot(mgr, net, "last")[1]["fixed_ips"] == [address]


def test_multi_host_leases_are_per_host(db_api, nimbus_conf, net_api,
                                        admin):
    net = net_api.create_network(admin, "mh", "10.52.0.0/24",
                                 multi_host=True)
    one, two = (_manager(db_api, nimbus_conf, h) for h in ("c-1", "c-2"))
    try:
        a_instance = wf.create_instance(wf.user_context("p1"), host="c-1")
        b_instance = wf.create_instance(wf.user_context("p1"), host="c-2")
        nic = [{"network_id": net["id"], "fixed_ip": None, "port_id": None}]
        (a,) = one.allocate_for_instance(admin, a_instance.uuid, "p1", "c-1",
                                         nic, [], "a")
        (b,) = two.allocate_for_instance(admin, b_instance.uuid, "p1", "c-2",
                                         nic, [], "b")
        one.driver.lease(net["id"], a["mac"], a["fixed_ips"][0])
        two.driver.lease(net["id"], b["mac"], b["fixed_ips"][0])
        one.sync_leases()
        two.sync_leases()
        one.sync_leases()  # host c-1 knows nothing of c-2's lease
        assert _row(db_api, net, a["fixed_ips"][0])["lease_host"] == "c-1"
        row = _row(db_api, net, b["fixed_ips"][0])
        assert (row["leased"], row["lease_host"]) == (True, "c-2")
    finally:
        one.cleanup_host()
        two.cleanup_host()


def test_sync_survives_a_plugin_error(mgr, net_api, admin, monkeypatch):
    net_api.create_network(admin, "private", "10.53.0.0/29")

    def broken(network):
        raise exception.NetworkPluginError(reason="lease file unreadable")
    monkeypatch.setattr(mgr.driver, "get_leases", broken)
    mgr.sync_leases()  # logged, not raised
