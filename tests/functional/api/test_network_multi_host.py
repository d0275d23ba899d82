"""``multi_host`` in the Networking v2 dialect: administrators create a
network served beside each compute (nova-network's flag); only they see
the attribute; a floating-IP pool cannot have it; bad values are a 400
with Neutron's error body and nothing recorded."""

from nimbus.core import context
from tests.functional.api.policy_matrix import SERVER, Env
from tests.functional.api.test_network_bad_input import neutron_error

V2 = "/network/v2.0"


def test_multi_host_networks(cloud):
    env = Env(cloud)
    net = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "mh", "multi_host": True, "shared": True}})["network"]
    assert net["multi_host"] is True
    plain = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "single", "shared": True}})["network"]
    assert plain["multi_host"] is False
    shown = env.call("admin", "GET", f"{V2}/networks/{net['id']}")
    assert shown["network"]["multi_host"] is True
    # Where the gateway side runs is the operator's business.
    seen = env.call("member", "GET", f"{V2}/networks/{net['id']}")
    assert "multi_host" not in seen["network"]
    # Only administrators create networks at all.
    resp = env.request("member", "POST", V2 + "/networks", {"network": {
        "name": "mine", "multi_host": True}})
    assert resp.status_code in (403, 404), resp.text

    for body, words in (
            ({"name": "x", "multi_host": "yes"}, ["multi_host"]),
            ({"name": "x", "multi_host": True, "router:external": True},
             ["multi_host", "external"])):
        resp = env.request("admin", "POST", V2 + "/networks",
                           {"network": body})
        neutron_error(resp, 400, *words)
    names = {n["name"] for n in env.call("admin", "GET",
                                         V2 + "/networks")["networks"]}
    assert "x" not in names


def test_nimbus_all_is_every_computes_network_host(cloud):
    """In nimbus-all the one network service serves every compute's
    guests on a multi_host network, with one gateway address of its own
    (the casts to ``network.<compute>`` reach it)."""
    env = Env(cloud)
    net = env.call("admin", "POST", V2 + "/networks", {"network": {
        "name": "mh", "multi_host": True, "shared": True}})["network"]
    env.call("admin", "POST", V2 + "/subnets", {"subnet": {
        "network_id": net["id"], "cidr": "10.63.0.0/24", "ip_version": 4}})
    ids = []
    for i in range(2):
        body = {"server": dict(SERVER["server"], name=f"mh-{i}",
                               networks=[{"uuid": net["id"]}])}
        ids.append(env.call("member", "POST", "/v2.1/servers",
                            body)["server"]["id"])
    env.wait_servers(ids, "ACTIVE")
    (svc,) = [s for s in cloud.stack.started
              if getattr(s, "binary", None) == "nimbus-network"]
    spec, ports = svc.manager.driver.networks[net["id"]]
    assert len(ports) == 2
    hosts = {p["binding:host_id"] for p in env.call(
        "admin", "GET", V2 + "/ports",
        query={"network_id": net["id"]})["ports"]}
    assert hosts <= set(cloud.stack.conf.all.compute_hosts)
    assert spec.gateway not in (None, "10.63.0.1")
    # The guests' VIFs (what their computes replay) carry that gateway.
    ctx = context.get_admin_context()
    for host in hosts:
        for vif in svc.manager.get_host_vifs(ctx, host):
            if vif["network"]["id"] == net["id"]:
                assert vif["network"]["gateway"] == spec.gateway
                assert vif["host"] == svc.manager.host
