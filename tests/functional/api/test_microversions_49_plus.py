"""Compute API microversions from 2.49 through the in-process stack (fake
plugins, fake volume backend) and the stock clients: a device tag on
volume attach and interface attach (2.49), quota class sets with the
server group keys and without the network ones (2.50)."""

from tests.functional.api.test_microversions_32_plus import _novaclient, _v
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
    """2.49 (Nova's): ``tag`` on a volume attachment is accepted (kept,
    shown from 2.70: test_microversions_70.py); before 2.49 it is an
    unknown property, and a tagged attach to a
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
    (kept, as above); before 2.49 it is an unknown property."""
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


NETWORK_KEYS = {"fixed_ips", "floating_ips", "security_groups",
                "security_group_rules"}
GROUP_KEYS = {"server_groups", "server_group_members"}


def test_quota_class_sets_from_2_50(cloud):
    """2.50 (Nova's): quota class bodies show server_groups and
    server_group_members and no network quotas; PUT takes the server
    group keys and refuses the network ones. Below 2.50 PUT takes the
    server group keys too, but the answer leaves them out."""
    admin = cloud.sdk("admin")
    path = "/os-quota-class-sets/default"

    def show(minor):
        resp = admin.compute.get(path, headers=_v(minor))
        assert resp.status_code == 200, resp.text
        return resp.json()["quota_class_set"]

    def put(minor, **values):
        return admin.compute.put(path, headers=_v(minor),
                                 json={"quota_class_set": values})

    old, new = show(49), show(50)
    assert NETWORK_KEYS <= set(old) and not GROUP_KEYS & set(old)
    assert GROUP_KEYS <= set(new) and not NETWORK_KEYS & set(new)
    assert set(new) - GROUP_KEYS == set(old) - NETWORK_KEYS
    resp = put(49, server_groups=7)
    assert resp.status_code == 200, resp.text
    assert "server_groups" not in resp.json()["quota_class_set"]
    assert show(50)["server_groups"] == 7
    for key in NETWORK_KEYS:
        resp = put(50, **{key: 5})
        assert resp.status_code == 400, (key, resp.text)
        assert key in resp.json()["badRequest"]["message"]
    resp = put(50, server_groups=3, server_group_members=4)
    assert resp.status_code == 200, resp.text
    answered = resp.json()["quota_class_set"]
    assert (answered["server_groups"], answered["server_group_members"]) \
        == (3, 4)
    assert "id" not in answered and not NETWORK_KEYS & set(answered)
    # The default class is every project's default.
    defaults = admin.compute.get(
        f"/os-quota-sets/{cloud.project_ids['demo']}/defaults",
        headers=_v(50)).json()["quota_set"]
    assert (defaults["server_groups"], defaults["server_group_members"]) \
        == (3, 4)
    # novaclient's quota class API at 2.50.
    nova = _novaclient(cloud, "2.50")
    nova.quota_classes.update("default", server_groups=5)
    shown = nova.quota_classes.get("default")
    assert (shown.server_groups, shown.server_group_members) == (5, 4)
    assert not hasattr(shown, "floating_ips")
