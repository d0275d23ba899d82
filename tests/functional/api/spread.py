"""One server on each of the two fake hosts, for tests that need a
server on a host whose plugin behaves differently (a restricted fake)."""

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def boot_one_per_host(conn, admin, prefix):
    """Boot ``<prefix>-a`` and ``<prefix>-b`` as ``conn``'s project in an
    anti-affinity group; returns ``{host: server id}`` (hosts read by
    ``admin``) and checks they landed on fake-1 and fake-2."""
    group = conn.compute.post("/os-server-groups", json={"server_group": {
        "name": "spread", "policies": ["anti-affinity"]}})
    assert group.status_code == 200, group.text
    hint = {"group": group.json()["server_group"]["id"]}
    placed = {}
    for name in (prefix + "-a", prefix + "-b"):
        resp = conn.compute.post("/servers", json={
            "server": {"name": name, "imageRef": IMAGE, "flavorRef": "1"},
            "os:scheduler_hints": hint})
        assert resp.status_code == 202, resp.text
        server = conn.compute.wait_for_server(
            conn.compute.get_server(resp.json()["server"]["id"]),
            interval=0.2, wait=60)
        placed[admin.compute.get_server(server.id).compute_host] = server.id
    assert sorted(placed) == ["fake-1", "fake-2"]
    return placed
