"""Compute API microversions from 2.49 through the in-process stack (fake
plugins, fake volume backend) and the stock clients: a device tag on
volume attach and interface attach (2.49)."""

from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    _wait_server,
    osc_json,
    server,
    wait_volume,
)


def _volumes(cloud, *names):
    for name in names:
        cloud.openstack("member", "volume", "create", "--size", "1", name)
    return [wait_volume(cloud, name, "available")["id"] for name in names]


def test_tagged_volume_attach_from_2_49(cloud):
    """2.49 (Nova's): ``tag`` on a volume attachment is accepted (not
    kept: nimbus's metadata service shows no device metadata); before
    2.49 it is an unknown property, and a tagged attach to a
    shelved-offloaded server is Nova's 400."""
    sid = server(cloud, "vt")
    early, tagged, bad, late = _volumes(cloud, "early", "tagged", "bad",
                                        "late")
    conn = cloud.sdk("member")
    path = f"/servers/{sid}/os-volume_attachments"

    def attach(minor, volume_id, **extra):
        return conn.compute.post(path, headers=_v(minor), json={
            "volumeAttachment": dict(volumeId=volume_id, **extra)})

    resp = attach(48, tagged, tag="data")
    assert resp.status_code == 400, resp.text
    assert "tag" in resp.json()["badRequest"]["message"]
    for wrong in ("a/b", "a,b", "x" * 61, ""):
        assert attach(49, tagged, tag=wrong).status_code == 400, wrong
    resp = attach(49, tagged, tag="data")
    assert resp.status_code == 200, resp.text
    assert set(resp.json()["volumeAttachment"]) == {
        "id", "serverId", "volumeId", "device"}
    wait_volume(cloud, "tagged", "in-use")
    # openstackclient sends --tag at the negotiated maximum.
    cloud.openstack("member", "server", "add", "volume", "--tag", "logs",
                    "vt", "early")
    wait_volume(cloud, "early", "in-use")
    compute = cloud.stack.compute(cloud.sdk("admin").compute.get_server(
        sid).compute_host)
    assert sorted(compute.manager.driver.disk_serials(sid)) == sorted(
        [tagged[:20], early[:20]])
    # Shelved and offloaded: no host can say it supports tags.
    cloud.openstack("member", "server", "shelve", "vt")
    _wait_server(cloud, "vt", "SHELVED_OFFLOADED")
    resp = attach(49, bad, tag="data")
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == (
        "Tagged volume attachment is not supported for shelved-offloaded "
        "instances.")
    assert wait_volume(cloud, "bad", "available")["attachments"] == []
    assert attach(49, late).status_code == 200
    wait_volume(cloud, "late", "in-use")


def test_tagged_interface_attach_from_2_49(cloud):
    """2.49 (Nova's): ``tag`` on an interface attachment is accepted
    (not kept, as above); before 2.49 it is an unknown property."""
    sid = osc_json(cloud, "member", "server", "create", "--image", "demo",
                   "--flavor", "m1.tiny", "--nic", "none", "--wait",
                   "nt")["id"]
    net = next(iter(cloud.sdk("member").network.networks())).id
    conn = cloud.sdk("member")
    path = f"/servers/{sid}/os-interface"
    body = {"interfaceAttachment": {"net_id": net, "tag": "nic1"}}
    resp = conn.compute.post(path, headers=_v(48), json=body)
    assert resp.status_code == 400, resp.text
    assert "tag" in resp.json()["badRequest"]["message"]
    bad = {"interfaceAttachment": {"net_id": net, "tag": "a/b"}}
    assert conn.compute.post(path, headers=_v(49), json=bad).status_code \
        == 400
    resp = conn.compute.post(path, headers=_v(49), json=body)
    assert resp.status_code == 200, resp.text
    port = resp.json()["interfaceAttachment"]
    assert (port["net_id"], port["port_state"]) == (net, "ACTIVE")
    # openstackclient's --tag (2.49) on a network it adds.
    cloud.openstack("member", "server", "add", "network", "--tag", "nic2",
                    "nt", net)
    listed = conn.compute.get(path, headers=_v(49)).json()
    assert len(listed["interfaceAttachments"]) == 2
