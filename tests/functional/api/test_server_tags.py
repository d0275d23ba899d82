"""Compute API 2.26: server tags through the openstack client and raw
requests (routes, bodies, list filters, limits, bad input)."""

import json

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
V = {"OpenStack-API-Version": "compute 2.26"}


def _boot(conn, name):
    resp = conn.compute.post("/servers", json={"server": {
        "name": name, "imageRef": IMAGE, "flavorRef": "1"}})
    assert resp.status_code == 202, resp.text
    server = conn.compute.get_server(resp.json()["server"]["id"])
    conn.compute.wait_for_server(server, interval=0.2, wait=60)
    return server.id


def test_tags_through_the_openstack_client(cloud):
    osc = cloud.openstack
    osc("member", "server", "create", "--image", "demo", "--flavor",
        "m1.tiny", "--wait", "tagged-vm")
    osc("member", "--os-compute-api-version", "2.26", "server", "set",
        "--tag", "blue", "--tag", "web", "tagged-vm")
    shown = json.loads(osc("member", "--os-compute-api-version", "2.26",
                           "server", "show", "tagged-vm", "-f",
                           "json").stdout)
    assert sorted(shown["tags"]) == ["blue", "web"]
    osc("member", "--os-compute-api-version", "2.26", "server", "unset",
        "--tag", "blue", "tagged-vm")
    rows = json.loads(osc("member", "--os-compute-api-version", "2.26",
                          "server", "list", "--tags", "web", "-f",
                          "json").stdout)
    assert [r["Name"] for r in rows] == ["tagged-vm"]
    rows = json.loads(osc("member", "--os-compute-api-version", "2.26",
                          "server", "list", "--tags", "blue", "-f",
                          "json").stdout)
    assert rows == []
    osc("member", "server", "delete", "--wait", "tagged-vm")


def test_tag_routes_bodies_and_filters(cloud):
    conn = cloud.sdk("member")
    a, b = _boot(conn, "ta"), _boot(conn, "tb")
    base = f"/servers/{a}/tags"
    resp = conn.compute.put(base, headers=V,
                            json={"tags": ["x", "y", "x"]})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"tags": ["x", "y"]}
    assert conn.compute.get(base, headers=V).json() == {"tags": ["x", "y"]}
    assert conn.compute.get(f"{base}/x", headers=V).status_code == 204
    resp = conn.compute.get(f"{base}/nope", headers=V)
    assert resp.status_code == 404 and "itemNotFound" in resp.json()
    resp = conn.compute.put(f"{base}/z", headers=V)
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"].endswith(f"/servers/{a}/tags/z")
    assert conn.compute.put(f"{base}/z", headers=V).status_code == 204
    assert conn.compute.put(f"/servers/{b}/tags/y",
                            headers=V).status_code == 201
    # Tags in bodies from 2.26 only.
    shown = conn.compute.get(f"/servers/{a}", headers=V).json()["server"]
    assert shown["tags"] == ["x", "y", "z"]
    assert "tags" not in conn.compute.get(
        f"/servers/{a}", headers={"OpenStack-API-Version":
                                  "compute 2.25"}).json()["server"]
    # the answer of an update too (Nova's update view), not before 2.26
    updated = conn.compute.put(f"/servers/{a}", headers=V, json={
        "server": {"name": "ta"}}).json()["server"]
    assert updated["tags"] == ["x", "y", "z"]
    assert "tags" not in conn.compute.put(
        f"/servers/{a}", json={"server": {"name": "ta"}},
        headers={"OpenStack-API-Version": "compute 2.25"}).json()["server"]

    def names(**query):
        resp = conn.compute.get("/servers/detail", headers=V,
                                params=query)
        assert resp.status_code == 200, resp.text
        return sorted(s["name"] for s in resp.json()["servers"])
    assert names(tags="x,y") == ["ta"]
    assert names(tags="y") == ["ta", "tb"]
    assert names(**{"tags-any": "z,y"}) == ["ta", "tb"]
    assert names(**{"not-tags": "x,y"}) == ["tb"]
    assert names(**{"not-tags-any": "x"}) == ["tb"]
    assert names(**{"not-tags-any": "y"}) == []

    assert conn.compute.delete(f"{base}/x", headers=V).status_code == 204
    resp = conn.compute.delete(f"{base}/x", headers=V)
    assert resp.status_code == 404 and "itemNotFound" in resp.json()
    assert conn.compute.delete(base, headers=V).status_code == 204
    assert conn.compute.get(base, headers=V).json() == {"tags": []}
    for sid in (a, b):
        conn.compute.delete_server(sid)


def test_bad_tags_are_4xx_and_write_nothing(cloud):
    conn = cloud.sdk("member")
    sid = _boot(conn, "tbad")
    base = f"/servers/{sid}/tags"
    assert conn.compute.put(base, headers=V,
                            json={"tags": ["keep"]}).status_code == 200
    for body in ({"tags": ["a,b"]}, {"tags": ["a/b"]}, {"tags": [""]},
                 {"tags": ["x" * 61]}, {"tags": "x"}, {},
                 {"tags": [f"t{i}" for i in range(51)]}, {"tags": [1]}):
        resp = conn.compute.put(base, headers=V, json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    for tag in ("a,b", "x" * 61):
        resp = conn.compute.put(f"{base}/{tag}", headers=V)
        assert resp.status_code == 400, (tag, resp.text)
        assert "is invalid" in resp.json()["badRequest"]["message"]
    # Below 2.26 the routes are not there.
    old = {"OpenStack-API-Version": "compute 2.25"}
    for method in ("get", "put", "delete"):
        resp = getattr(conn.compute, method)(base, headers=old)
        assert resp.status_code == 404, (method, resp.text)
    assert conn.compute.get(base, headers=V).json() == {"tags": ["keep"]}
    # The limit: 50 tags.
    fifty = [f"t{i}" for i in range(50)]
    assert conn.compute.put(base, headers=V,
                            json={"tags": fifty}).status_code == 200
    resp = conn.compute.put(f"{base}/one-more", headers=V)
    assert resp.status_code == 400, resp.text
    assert "per-server limit 50" in resp.json()["badRequest"]["message"]
    assert conn.compute.put(f"{base}/t3", headers=V).status_code == 204
    # A server in another state: 409, tags untouched.
    conn.compute.post(f"/servers/{sid}/action", json={"shelve": None})
    server = conn.compute.get_server(sid)
    conn.compute.wait_for_server(server, status="SHELVED_OFFLOADED",
                                 interval=0.2, wait=60)
    resp = conn.compute.put(base, headers=V, json={"tags": []})
    assert resp.status_code == 409, resp.text
    assert resp.json()["conflictingRequest"]["code"] == 409
    assert len(conn.compute.get(base, headers=V).json()["tags"]) == 50
    # Another project's server is not there for them.
    other = cloud.sdk("other")
    assert other.compute.get(base, headers=V).status_code == 404
    conn.compute.delete_server(sid)
