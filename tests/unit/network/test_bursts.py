"""A compute's bursts on nimbus-network (network RPC 1.4): several
servers' allocations (releases) in one message, each server with its own
outcome; nothing left behind by those that fail."""


from nimbus.core import exception
from tests.unit import workflow_fakes as wf


def _request(network, project="p1", **nic):
    instance = wf.create_instance(wf.user_context(project), host="c-1")
    return {"instance_uuid": instance.uuid, "project_id": project,
            "requested": [dict({"network_id": network["id"],
                                "fixed_ip": None, "port_id": None}, **nic)],
            "security_groups": [], "hostname": f"vm-{instance.uuid[:4]}"}


def test_a_burst_gives_each_server_its_own_ports(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.70.0.0/24")
    requests = [_request(net), _request(net, "p2"), _request(net)]
    outcomes = mgr.allocate_for_instances(admin, "c-1", requests,
                                          remote_groups=True)
    assert [list(o) for o in outcomes] == [["vifs"]] * 3
    vifs = [o["vifs"] for o in outcomes]
    assert [[v["instance_uuid"] for v in server] for server in vifs] == [
        [r["instance_uuid"]] for r in requests]
    assert [server[0]["hostname"] for server in vifs] == [
        r["hostname"] for r in requests]
    addresses = [server[0]["fixed_ips"][0] for server in vifs]
    assert len(set(addresses)) == 3
    # Each server is in its own project's default group, whose rules
    # name that group.
    for request, (vif,) in zip(requests, vifs, strict=True):
        group = net_api.db.security_groups.find_default(
            admin, request["project_id"])["uuid"]
        assert net_api.db.security_groups.groups_of_instances(
            admin, [request["instance_uuid"]])[request["instance_uuid"]] \
            == [group]
        assert any(r["remote_group_id"] == group for r in vif["rules"])
    # One gateway update served the burst (the network's first: whole).
    served = mgr.driver.networks[net["id"]][1]
    assert {p.id for p in served.values()} == {
        server[0]["id"] for server in vifs}


def test_a_server_that_cannot_be_served_fails_alone(mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.71.0.0/29")  # 5
    requests = [_request(net) for _ in range(6)]
    requests.insert(2, _request(net, fixed_ip="10.71.0.4"))
    outcomes = mgr.allocate_for_instances(admin, "c-1", requests)
    errors = [o["error"] for o in outcomes if "error" in o]
    # A fixed IP cannot share a burst; of the six others, five fit.
    assert outcomes[2]["error"]["type"] == "InvalidInput"
    assert sorted(e["type"] for e in errors) == ["InvalidInput",
                                                 "NoMoreFixedIps"]
    made = [o["vifs"][0] for o in outcomes if "vifs" in o]
    assert len(made) == 5 and net_api.db.networks.count_free(
        admin, net["id"]) == 0
    failed = [r["instance_uuid"] for r, o in zip(requests, outcomes,
                                                 strict=True)
              if "error" in o]
    assert net_api.db.ports.get_all(admin, instance_uuid=failed) == []


def test_a_failed_gateway_update_gives_the_whole_burst_back(mgr, net_api,
                                                            admin):
    net = net_api.create_network(admin, "private", "10.72.0.0/24")
    mgr.allocate_for_instance(admin, _request(net)["instance_uuid"], "p1",
                              "c-1", _request(net)["requested"], [], None)

    def failing(spec, added, removed):
        raise exception.NetworkPluginError(reason="dnsmasq is gone")
    mgr.driver.update_ports = failing
    requests = [_request(net) for _ in range(3)]
    outcomes = mgr.allocate_for_instances(admin, "c-1", requests)
    assert [o["error"]["type"] for o in outcomes] == [
        "NetworkPluginError"] * 3
    assert "dnsmasq is gone" in outcomes[0]["error"]["message"]
    assert net_api.db.ports.get_all(admin, instance_uuid=[
        r["instance_uuid"] for r in requests]) == []
    assert net_api.db.networks.count_free(admin, net["id"]) == 252


def test_a_release_burst_frees_every_server_and_refreshes_once(
        mgr, net_api, admin):
    net = net_api.create_network(admin, "private", "10.73.0.0/24")
    requests = [_request(net) for _ in range(4)]
    ports = [o["vifs"][0]["id"] for o in mgr.allocate_for_instances(
        admin, "c-1", requests)]
    uuids = [r["instance_uuid"] for r in requests]
    assert mgr.deallocate_for_instances(admin, "c-1", uuids + [
        "never-booted"]) == [None] * 5
    assert net_api.db.ports.get_all(admin, instance_uuid=uuids) == []
    assert net_api.db.networks.count_free(admin, net["id"]) == 253
    assert set(mgr.driver.networks[net["id"]][1]) == set(ports)
    mgr._released.flush()  # the deferred refresh drops their entries
    assert mgr.driver.networks[net["id"]][1] == {}
