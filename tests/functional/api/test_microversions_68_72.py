"""Compute API 2.68, 2.69 and 2.72 through the in-process stack (fake
plugin, hosts fake-1 and fake-2) and the stock clients:

* 2.68: ``force`` is refused by ``os-migrateLive`` and ``evacuate``;
* 2.69: nimbus has one cell, so the four routes whose down-cell bodies
  2.69 allows answer as at 2.68, a down compute host included;
* 2.72: ports of nimbus's network service carry no resource request
  (no QoS policies), so a server boots with a port at 2.71 as at 2.72.

These versions are above the advertised run, so the tests advertise
them."""

import time

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _request(conn, method, path, minor, **kwargs):
    return conn.compute.request(path, method, headers=_v(minor),
                                raise_exc=False, **kwargs)


def _settled(conn, sid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        shown = conn.compute.get(f"/servers/{sid}").json()["server"]
        if shown["status"] in ("ACTIVE", "ERROR") and \
                shown["OS-EXT-STS:task_state"] is None:
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def _boot(conn, name, minor=62, **server):
    body = {"server": dict({"name": name, "flavorRef": "1",
                            "imageRef": IMAGE, "networks": "none"},
                           **server)}
    resp = _request(conn, "POST", "/servers", minor, json=body)
    assert resp.status_code == 202, resp.text
    return _settled(conn, resp.json()["server"]["id"])


def _action(conn, sid, minor, body):
    return _request(conn, "POST", f"/servers/{sid}/action", minor,
                    json=body)


def test_force_is_refused_from_2_68(cloud, advertise):
    advertise(68)
    admin = cloud.sdk("admin")
    server = _boot(admin, "forced")
    sid, source = server["id"], server["OS-EXT-SRV-ATTR:host"]
    target = "fake-2" if source == "fake-1" else "fake-1"

    live = {"host": target, "block_migration": "auto", "force": False}
    resp = _action(admin, sid, 68, {"os-migrateLive": live})
    assert resp.status_code == 400, resp.text
    assert "force" in resp.json()["badRequest"]["message"]
    evacuate = {"host": target, "force": True}
    resp = _action(admin, sid, 68, {"evacuate": evacuate})
    assert resp.status_code == 400, resp.text
    assert "force" in resp.json()["badRequest"]["message"]
    assert _settled(admin, sid)["OS-EXT-SRV-ATTR:host"] == source

    # 2.67 still takes it (and nimbus still has the scheduler claim the
    # host); the 2.68 body without it moves the server too.
    resp = _action(admin, sid, 67, {"os-migrateLive": live})
    assert resp.status_code == 202, resp.text
    assert _settled(admin, sid)["OS-EXT-SRV-ATTR:host"] == target
    resp = _action(admin, sid, 68, {"os-migrateLive": {
        "host": source, "block_migration": "auto"}})
    assert resp.status_code == 202, resp.text
    assert _settled(admin, sid)["OS-EXT-SRV-ATTR:host"] == source
    # evacuate at 2.67 gets past the schema (the host is up: a 409)
    resp = _action(admin, sid, 67, {"evacuate": evacuate})
    assert "force" not in resp.text, resp.text

    # openstackclient's live migration at 2.68 sends no force.
    cloud.openstack("admin", "--os-compute-api-version", "2.68", "server",
                    "migrate", "--live-migration", "--host", target,
                    "--wait", sid)
    assert _settled(admin, sid)["OS-EXT-SRV-ATTR:host"] == target


def test_one_cell_answers_2_69_as_2_68(cloud, advertise):
    advertise(69)
    admin = cloud.sdk("admin")
    sid = _boot(admin, "cell")["id"]
    for path in ("/servers", "/servers/detail", f"/servers/{sid}",
                 "/os-services"):
        old = _request(admin, "GET", path, 68)
        new = _request(admin, "GET", path, 69)
        assert (old.status_code, new.status_code) == (200, 200), path
        if path == "/os-services":
            # heartbeats move updated_at between the two reads
            def strip(body):
                return [{k: v for k, v in s.items() if k != "updated_at"}
                        for s in body["services"]]
            assert strip(old.json()) == strip(new.json())
        else:
            assert old.json() == new.json(), path
        assert "UNKNOWN" not in new.text
    # A compute host that is down is a down host, not a down cell: its
    # service and servers are still shown whole.
    service = next(s for s in _request(admin, "GET", "/os-services",
                                       69).json()["services"]
                   if s["host"] == "fake-1" and
                   s["binary"] == "nova-compute")
    resp = _request(admin, "PUT", f"/os-services/{service['id']}", 69,
                    json={"forced_down": True})
    assert resp.status_code == 200, resp.text
    assert resp.json()["service"]["forced_down"] is True
    try:
        shown = {s["host"]: s for s in _request(
            admin, "GET", "/os-services?binary=nova-compute",
            69).json()["services"]}
        assert shown["fake-1"]["state"] == "down"
        assert set(shown["fake-1"]) == set(shown["fake-2"])
        body = _request(admin, "GET", f"/servers/{sid}", 69).json()[
            "server"]
        assert body["status"] == "ACTIVE" and "flavor" in body
    finally:
        _request(admin, "PUT", f"/os-services/{service['id']}", 69,
                 json={"forced_down": False})


def test_ports_carry_no_resource_request_so_2_72_changes_nothing(
        cloud, advertise):
    advertise(72)
    admin = cloud.sdk("admin")
    net = next(iter(admin.network.networks()))
    # The network service has no QoS: no policy can be set on a port,
    # and no port shows a resource request.
    aliases = {e.alias for e in admin.network.extensions()}
    assert not aliases & {"qos", "qos-bw-minimum-ingress",
                          "port-resource-request",
                          "port-resource-request-groups"}
    resp = admin.network.post("/ports", json={"port": {
        "network_id": net.id,
        "qos_policy_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"}})
    assert resp.status_code == 400, resp.text
    for minor in (71, 72):
        port = admin.network.create_port(network_id=net.id,
                                         name=f"p{minor}")
        body = admin.network.get(f"/ports/{port.id}").json()["port"]
        assert "resource_request" not in body
        assert body["qos_policy_id"] is None
        resp = admin.network.put(f"/ports/{port.id}", json={"port": {
            "qos_policy_id": "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"}})
        assert resp.status_code == 400, resp.text
        server = _boot(admin, f"ported-{minor}", minor=minor,
                       networks=[{"port": port.id}])
        assert server["status"] == "ACTIVE", server
        assert admin.network.get_port(port.id).device_id == server["id"]
