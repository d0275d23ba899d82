"""NetworkAPI: networks, subnets' addresses, visibility, validation."""

import pytest

from nimbus.core import exception


def test_a_shared_network_is_created_with_every_address(net_api, admin,
                                                        alice):
    net = net_api.create_network(admin, "private", "10.5.0.0/24")
    assert net["shared"] and net["project_id"] is None
    assert net["gateway"] == "10.5.0.1"
    assert (net["allocation_start"], net["allocation_end"]) == \
        ("10.5.0.2", "10.5.0.254")
    assert net["status"] == "ACTIVE" and net["subnet_id"]
    rows = net_api.db.networks.get_fixed_ips(admin, net["id"])
    assert len(rows) == 256
    assert {r["address"] for r in rows if r["reserved"]} == {
        "10.5.0.0", "10.5.0.1", "10.5.0.255"}
    assert [n["id"] for n in net_api.list_networks(alice)] == [net["id"]]
    assert net_api.network_rpc.named("setup_network")


def test_a_project_network_is_hidden_from_other_projects(net_api, alice,
                                                         bob):
    net = net_api.create_network(alice, "mine", "10.6.0.0/24")
    assert net["project_id"] == "p1" and not net["shared"]
    assert net_api.list_networks(bob) == []
    with pytest.raises(exception.NetworkNotFound):
        net_api.get_network(bob, net["id"])
    assert net_api.get_network(alice, net["id"])["name"] == "mine"


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "fe80::/64", "10.0.0.1/24",
                                  "10.0.0.0/8", "banana", "10.0.0.0/31"])
def test_bad_cidrs_are_refused(net_api, admin, cidr):
    with pytest.raises(exception.InvalidCidr):
        net_api.create_network(admin, "n", cidr)
    assert net_api.list_networks(admin) == []


def test_overlapping_internal_networks_are_refused(net_api, admin):
    net_api.create_network(admin, "a", "10.7.0.0/24")
    with pytest.raises(exception.InvalidCidr):
        net_api.create_network(admin, "b", "10.7.0.128/25")
    assert len(net_api.list_networks(admin)) == 1


@pytest.mark.parametrize("kwargs", [
    {"gateway": "10.8.1.1"}, {"allocation_start": "10.8.0.9",
                              "allocation_end": "10.8.0.3"},
    {"gateway": "10.8.0.5", "allocation_start": "10.8.0.2"},
    {"vlan": 5000}, {"mtu": 20}, {"bridge": "a-bridge-name-too-long"},
    {"bridge": "br;rm"}, {"dns_servers": ["not-an-ip"]}])
def test_bad_network_values_are_refused(net_api, admin, kwargs):
    with pytest.raises(exception.Invalid):
        net_api.create_network(admin, "n", "10.8.0.0/24", **kwargs)
    assert net_api.list_networks(admin) == []


def test_vlans_are_unique_and_bridges_follow_them(net_api, admin):
    net = net_api.create_network(admin, "v", "10.9.0.0/24", vlan=101)
    assert net["bridge"] == "br101"
    with pytest.raises(exception.NetworkExists):
        net_api.create_network(admin, "w", "10.10.0.0/24", vlan=101)


def test_a_network_in_use_cannot_be_deleted(net_api, admin, alice):
    net = net_api.create_network(admin, "n", "10.11.0.0/24")
    port = net_api.create_port(alice, net["id"])
    with pytest.raises(exception.NetworkInUse):
        net_api.delete_network(admin, net["id"])
    net_api.delete_port(alice, port["id"])
    net_api.delete_network(admin, net["id"])
    assert net_api.list_networks(admin) == []
    assert net_api.network_rpc.named("teardown_network")


def test_update_network_changes_only_what_may_change(net_api, admin):
    net = net_api.create_network(admin, "n", "10.12.0.0/24")
    updated = net_api.update_network(admin, net["id"], name="renamed",
                                     mtu=1400, dns_servers=["192.0.2.53"])
    assert (updated["name"], updated["mtu"], updated["dns_servers"]) == \
        ("renamed", 1400, ["192.0.2.53"])
    with pytest.raises(exception.InvalidInput):
        net_api.update_network(admin, net["id"], cidr="10.13.0.0/24")
    narrowed = net_api.update_network(admin, net["id"],
                                      allocation_start="10.12.0.100")
    assert narrowed["allocation_start"] == "10.12.0.100"
    free = net_api.db.networks.count_free(admin, net["id"])
    assert free == 254 - 99
    net_api.create_port(admin, net["id"])
    with pytest.raises(exception.Conflict):
        net_api.update_network(admin, net["id"], gateway="10.12.0.254")


def test_network_quota_counts_the_projects_networks(net_api, admin, alice):
    net_api.quotas.db.quotas.set_project(admin, "p1", {"network": 1})
    net_api.create_network(alice, "one", "10.14.0.0/24")
    with pytest.raises(exception.OverQuota):
        net_api.create_network(alice, "two", "10.15.0.0/24")
    assert len(net_api.list_networks(alice)) == 1


def test_external_networks_are_floating_pools(net_api, admin, alice):
    ext = net_api.create_network(admin, "public", "172.24.4.0/28",
                                 external=True)
    assert ext["external"]
    assert len(net_api.db.floating_ips.get_all(
        admin, allocated=False, network_id=ext["id"])) == 13
    wide = net_api.create_network(admin, "wide", "172.30.0.0/16",
                                  external=True, allocation_start=
                                  "172.30.0.10", allocation_end="172.30.0.11")
    assert net_api.add_floating_range(admin, wide["id"],
                                      "172.30.1.0/30") == 2
    assert len(net_api.db.floating_ips.get_all(
        admin, allocated=False, network_id=wide["id"])) == 4
    with pytest.raises(exception.Conflict):
        net_api.add_floating_range(admin, ext["id"], "172.24.4.8/29")
    assert net_api.add_floating_range(admin, ext["id"], "172.25.0.0/30") \
        == 2  # a pool may grow beyond its first range
    net_api.create_network(admin, "private", "10.16.0.0/24")
    with pytest.raises(exception.InvalidCidr):
        net_api.add_floating_range(admin, ext["id"], "10.16.0.128/30")
    assert len(net_api.db.floating_ips.get_all(
        admin, allocated=False, network_id=ext["id"])) == 15


def test_a_flat_networks_bridge_is_the_one_the_linux_plugin_names(
        net_api, admin):
    # Cleanup that deletes names.flat_bridge(id) must find the bridge the
    # record gave the plugin (a dash in one of them leaked bridges).
    from nimbus.plugins.networks.linux import names
    net = net_api.create_network(admin, "flat", "10.11.0.0/24")
    assert net["bridge"] == names.flat_bridge(net["id"])
    assert len(net["bridge"]) <= 15 and "-" not in net["bridge"]
