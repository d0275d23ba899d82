"""NetworkAPI: ports, a server's requested networks, its VIFs, and the
metadata service's instance-by-address lookup."""

import pytest
from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import model


@pytest.fixture
def net(net_api, admin):
    return net_api.create_network(admin, "private", "10.20.0.0/28")


def test_a_port_holds_one_address_and_the_default_group(net_api, net,
                                                        alice):
    port = net_api.create_port(alice, net["id"], name="p")
    assert port["project_id"] == "p1" and port["status"] == "DOWN"
    assert port["fixed_ips"] == [{"subnet_id": net["subnet_id"],
                                  "ip_address": port["fixed_ips"][0][
                                      "ip_address"]}]
    default = [g for g in net_api.list_security_groups(alice)
               if g["name"] == "default"]
    assert port["security_groups"] == [default[0]["id"]]
    assert net_api.list_ports(alice, {"fixed_ip": port["fixed_ips"][0][
        "ip_address"]})[0]["id"] == port["id"]


def test_a_requested_address_is_given_once(net_api, net, alice, bob):
    net_api.create_port(alice, net["id"], fixed_ip="10.20.0.5")
    with pytest.raises(exception.FixedIpAlreadyInUse):
        net_api.create_port(bob, net["id"], fixed_ip="10.20.0.5")
    with pytest.raises(exception.InvalidInput):
        net_api.create_port(bob, net["id"], fixed_ip="10.99.0.5")
    assert net_api.list_ports(bob) == []


def test_a_full_network_refuses_ports_and_keeps_none(net_api, net, alice):
    for _ in range(13):
        net_api.create_port(alice, net["id"])
    with pytest.raises(exception.NoMoreFixedIps):
        net_api.create_port(alice, net["id"])
    assert len(net_api.list_ports(alice)) == 13


def test_ports_of_other_projects_are_not_found(net_api, net, alice, bob):
    port = net_api.create_port(alice, net["id"])
    with pytest.raises(exception.PortNotFound):
        net_api.get_port(bob, port["id"])
    with pytest.raises(exception.PortNotFound):
        net_api.delete_port(bob, port["id"])
    assert net_api.list_ports(bob) == []


def test_update_port_name_and_groups(net_api, net, alice):
    port = net_api.create_port(alice, net["id"])
    web = net_api.create_security_group(alice, "web")
    updated = net_api.update_port(alice, port["id"], name="eth",
                                  security_groups=[web["id"]])
    assert updated["name"] == "eth"
    assert updated["security_groups"] == [web["id"]]
    with pytest.raises(exception.InvalidInput):
        net_api.update_port(alice, port["id"], mac_address="x")


def test_auto_picks_the_shared_default_network(net_api, net, alice):
    assert net_api.validate_requested_networks(alice, "p1", "auto") == [
        {"network_id": net["id"], "fixed_ip": None, "port_id": None}]
    assert net_api.validate_requested_networks(alice, "p1", None) == \
        net_api.validate_requested_networks(alice, "p1", "auto")
    assert net_api.validate_requested_networks(alice, "p1", "none") == []


def test_auto_prefers_the_projects_own_network(net_api, net, alice):
    own = net_api.create_network(alice, "own", "10.21.0.0/24")
    assert net_api.validate_requested_networks(alice, "p1", "auto")[0][
        "network_id"] == own["id"]


def test_no_networks_and_no_network_means_no_nic(net_api, alice):
    assert net_api.validate_requested_networks(alice, "p1", None) == []


def test_auto_with_no_network_is_nova_400(net_api, alice):
    """2.37's ``auto`` must give a network (Nova would auto-allocate
    one): with none the project can use, Nova's
    UnableToAutoAllocateNetwork."""
    with pytest.raises(exception.UnableToAutoAllocateNetwork) as err:
        net_api.validate_requested_networks(alice, "p1", "auto")
    assert str(err.value) == ("Unable to automatically allocate a network "
                              "for project p1")
    assert err.value.code == 400


def test_auto_with_several_shared_networks_is_ambiguous(net_api, admin,
                                                        alice):
    net_api.create_network(admin, "a", "10.22.0.0/24")
    net_api.create_network(admin, "b", "10.23.0.0/24")
    with pytest.raises(exception.NetworkAmbiguous):
        net_api.validate_requested_networks(alice, "p1", "auto")


@pytest.mark.parametrize("requested, error", [
    ([{"uuid": "00000000-0000-0000-0000-000000000000"}],
     exception.InvalidNetworkRequest),
    ([{"uuid": "not-a-uuid"}], exception.InvalidNetworkRequest),
    ([{"port": "00000000-0000-0000-0000-000000000000"}],
     exception.InvalidNetworkRequest),
    ([{}], exception.InvalidNetworkRequest),
    ([{"uuid": "NET", "fixed_ip": "10.99.0.4"}],
     exception.InvalidNetworkRequest),
    ([{"uuid": "NET", "fixed_ip": "10.20.0.1"}],
     exception.InvalidNetworkRequest),
    ([{"uuid": "NET", "bogus": 1}], exception.InvalidNetworkRequest),
    ("everything", exception.InvalidNetworkRequest),
])
def test_bad_requested_networks_are_refused(net_api, net, alice, requested,
                                            error):
    if isinstance(requested, list):
        requested = [{k: (net["id"] if v == "NET" else v)
                      for k, v in r.items()} for r in requested]
    with pytest.raises(error):
        net_api.validate_requested_networks(alice, "p1", requested)


def test_a_taken_fixed_ip_or_bound_port_is_a_conflict(net_api, net, alice,
                                                      admin):
    port = net_api.create_port(alice, net["id"], fixed_ip="10.20.0.7")
    with pytest.raises(exception.FixedIpAlreadyInUse):
        net_api.validate_requested_networks(
            alice, "p1", [{"uuid": net["id"], "fixed_ip": "10.20.0.7"}])
    assert net_api.validate_requested_networks(
        alice, "p1", [{"port": port["id"]}]) == [
        {"network_id": net["id"], "fixed_ip": None, "port_id": port["id"]}]
    net_api.db.ports.bind(admin, port["id"], uuidutils.generate_uuid())
    with pytest.raises(exception.PortInUse):
        net_api.validate_requested_networks(alice, "p1",
                                            [{"port": port["id"]}])
    with pytest.raises(exception.PortInUse):
        net_api.delete_port(alice, port["id"])


def test_several_servers_cannot_share_a_fixed_ip(net_api, net, alice):
    with pytest.raises(exception.InvalidNetworkRequest):
        net_api.validate_requested_networks(
            alice, "p1", [{"uuid": net["id"], "fixed_ip": "10.20.0.9"}],
            count=2)


def test_the_port_quota_is_checked_before_anything_is_recorded(
        net_api, net, alice, admin):
    net_api.db.quotas.set_project(admin, "p1", {"port": 2})
    with pytest.raises(exception.OverQuota):
        net_api.validate_requested_networks(alice, "p1", "auto", count=3)


def test_server_vifs_addresses_and_release(net_api, net, alice, admin):
    instance = uuidutils.generate_uuid()
    ports = net_api.allocator.allocate_for_instance(
        admin, instance, "p1", "compute-1",
        [{"network_id": net["id"], "fixed_ip": "10.20.0.4",
          "port_id": None}], [], hostname="vm1")
    assert len(ports) == 1
    vifs = net_api.get_instance_nw_info(alice, instance)
    assert vifs[0]["fixed_ips"] == ["10.20.0.4"]
    assert vifs[0]["network"]["name"] == "private"
    assert vifs[0]["hostname"] == "vm1"
    assert model.addresses(vifs) == {"private": [{
        "addr": "10.20.0.4", "version": 4, "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": vifs[0]["mac"]}]}
    assert net_api.get_instance_by_fixed_ip(alice, "10.20.0.4") == instance
    assert net_api.get_instance_by_fixed_ip(alice, "10.20.0.5") is None
    assert net_api.get_nw_info_bulk(alice, [instance, "x"])["x"] == []
    net_api.release_instance(admin, instance)
    assert net_api.get_instance_nw_info(alice, instance) == []
    assert net_api.get_instance_by_fixed_ip(alice, "10.20.0.4") is None
    assert net_api.db.networks.count_free(admin, net["id"]) == 13


def test_a_users_port_survives_the_server(net_api, net, alice, admin):
    port = net_api.create_port(alice, net["id"])
    instance = uuidutils.generate_uuid()
    net_api.allocator.allocate_for_instance(
        admin, instance, "p1", "compute-1",
        [{"network_id": net["id"], "fixed_ip": None,
          "port_id": port["id"]}], [])
    assert net_api.get_port(alice, port["id"])["device_id"] == instance
    net_api.release_instance(admin, instance)
    kept = net_api.get_port(alice, port["id"])
    assert kept["device_id"] == "" and kept["fixed_ips"] == port["fixed_ips"]


def test_a_failed_allocation_leaves_nothing(net_api, net, alice, admin):
    instance = uuidutils.generate_uuid()
    net_api.create_port(alice, net["id"], fixed_ip="10.20.0.9")
    with pytest.raises(exception.FixedIpAlreadyInUse):
        net_api.allocator.allocate_for_instance(
            admin, instance, "p1", "compute-1",
            [{"network_id": net["id"], "fixed_ip": None, "port_id": None},
             {"network_id": net["id"], "fixed_ip": "10.20.0.9",
              "port_id": None}], [])
    assert net_api.list_ports(admin, {"device_id": instance}) == []
    assert net_api.list_instance_security_groups(admin, instance) == []
    assert net_api.db.networks.count_free(admin, net["id"]) == 12


def test_releasing_a_server_updates_its_groups_members(net_api, net, admin):
    """The groups come from the released ports themselves: once the
    release committed, their bindings are gone from the database."""
    servers = [uuidutils.generate_uuid() for _ in range(2)]
    kept, gone = (net_api.allocator.allocate_for_instance(
        admin, server, "p1", "compute-1",
        [{"network_id": net["id"], "fixed_ip": None, "port_id": None}],
        [])[0] for server in servers)
    net_api.compute_rpc.calls.clear()
    released = net_api.release_instance(admin, servers[1])
    assert [p["uuid"] for p in released] == [gone["uuid"]]
    default = net_api.db.security_groups.get_default(admin, "p1")["uuid"]
    assert released[0]["security_groups"] == [default]
    pushed = net_api.compute_rpc.named("refresh_group_members")
    assert pushed, net_api.compute_rpc.calls
    host, members = pushed[-1][1]
    assert host == "compute-1"
    kept_address = net_api.db.networks.fixed_ips_of_ports(
        admin, [kept["uuid"]])[kept["uuid"]]
    assert members == {default: kept_address}
