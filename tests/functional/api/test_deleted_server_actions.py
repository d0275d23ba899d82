"""Compute API 2.21: the instance actions of a deleted server stay
readable (404 below 2.21, as in Nova)."""

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def test_actions_of_a_deleted_server(cloud):
    conn = cloud.sdk("member")
    server = conn.compute.create_server(name="gone", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    conn.compute.wait_for_server(server, interval=0.2, wait=60)
    base = f"/servers/{server.id}/os-instance-actions"
    created = conn.compute.get(base, headers=_v(21)).json()
    request_id = created["instanceActions"][0]["request_id"]
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)

    for minor in (1, 20):
        resp = conn.compute.get(base, headers=_v(minor))
        assert resp.status_code == 404, resp.text
        assert resp.json()["itemNotFound"]["code"] == 404
        resp = conn.compute.get(f"{base}/{request_id}", headers=_v(minor))
        assert resp.status_code == 404, resp.text

    resp = conn.compute.get(base, headers=_v(21))
    assert resp.status_code == 200, resp.text
    actions = resp.json()["instanceActions"]
    assert [a["action"] for a in actions] == ["delete", "create"]
    assert {a["instance_uuid"] for a in actions} == {server.id}
    resp = conn.compute.get(f"{base}/{request_id}", headers=_v(21))
    assert resp.status_code == 200, resp.text
    assert resp.json()["instanceAction"]["action"] == "create"
    # Still another project's server: 404 for them, at any version.
    other = cloud.sdk("other").compute.get(base, headers=_v(21))
    assert other.status_code == 404, other.text
    # An unknown action of the deleted server, and an unknown server.
    resp = conn.compute.get(f"{base}/req-nope", headers=_v(21))
    assert resp.status_code == 404, resp.text
    resp = conn.compute.get(
        "/servers/8d5c3b0e-0000-4000-8000-00000000dead/os-instance-actions",
        headers=_v(21))
    assert resp.status_code == 404, resp.text
