"""Compute API 2.70 through the in-process stack (fake hypervisor, fake
volume backend) and the stock clients: the device tags a server's create
(2.42) and attaches (2.49) gave its volumes and NICs are kept and shown
as ``tag`` in os-volume_attachments and os-interface bodies from 2.70
(null for a device given none); below 2.70 bodies are as before. A tag
goes with its device: a volume detached and attached again untagged, or
a port removed and added again untagged, shows null. A tagged attach to a
server whose host's hypervisor does not declare
``supports_tagged_attach_volume`` / ``_interface`` is Nova's 400
(``fake-2`` runs without them here), an untagged one works there."""

import time

import pytest

from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
    wait_volume,
)

LIMITED = "fake-2"
NO_TAGGED_VOLUME = ("Tagged volume attachment is not supported for this "
                    "server instance.")
NO_TAGGED_NIC = ("Tagged network interface attachment is not supported "
                 "for this server instance.")


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities", [
        f"{LIMITED}:supports_tagged_attach_volume",
        f"{LIMITED}:supports_tagged_attach_interface"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def _host(cloud, server_id):
    return cloud.sdk("admin").compute.get_server(server_id).compute_host


def _boot(cloud, name, hints=None, **server):
    member = cloud.sdk("member")
    body = {"server": dict({"name": name, "imageRef": DEMO_IMAGE,
                            "flavorRef": "1", "networks": "auto"},
                           **server)}
    if hints:
        body["os:scheduler_hints"] = hints
    resp = member.compute.post("/servers", json=body, headers=_v(42))
    assert resp.status_code == 202, resp.text
    return member.compute.wait_for_server(
        member.compute.get_server(resp.json()["server"]["id"]),
        interval=0.2, wait=60).id


def _capable_server(cloud, name, **server):
    """A server of the member's on ``fake-1`` (the tag-capable host)."""
    sid = _boot(cloud, name, **server)
    if _host(cloud, sid) == LIMITED:
        first = sid
        sid = _boot(cloud, name + "-2", {"different_host": first},
                    **server)
        cloud.sdk("member").compute.delete_server(first)
    assert _host(cloud, sid) == "fake-1"
    return sid


def _limited_server(cloud, name, near):
    sid = _boot(cloud, name, {"different_host": near})
    assert _host(cloud, sid) == LIMITED
    return sid


def _volumes(cloud, *names):
    for name in names:
        cloud.openstack("member", "volume", "create", "--size", "1", name)
    return [wait_volume(cloud, name, "available")["id"] for name in names]


def _tags(conn, path, minor, key, id_key):
    resp = conn.compute.get(path, headers=_v(minor))
    assert resp.status_code == 200, resp.text
    return {a[id_key]: a.get("tag", "absent") for a in resp.json()[key]}


def _wait_detached(conn, sid, volume_id):
    deadline = time.monotonic() + 30
    while volume_id in {a.volume_id
                        for a in conn.compute.volume_attachments(sid)}:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_volume_tags_in_attachment_bodies_from_2_70(cloud, advertise):
    advertise(70)
    conn = cloud.sdk("member")
    sid = _capable_server(cloud, "vtags", block_device_mapping_v2=[
        {"source_type": "blank", "destination_type": "volume",
         "volume_size": 1, "tag": "scratch",
         "delete_on_termination": True},
        {"source_type": "blank", "destination_type": "volume",
         "volume_size": 1}])
    made = {a.device: a.volume_id for a in conn.compute.volume_attachments(
        sid)}
    logs, plain, again = _volumes(cloud, "logs", "plain", "again")
    path = f"/servers/{sid}/os-volume_attachments"

    # A tagged attach at 2.49 (body as before 2.70), one at 2.70 answers
    # with its tag, an untagged one with a null tag.
    resp = conn.compute.post(path, headers=_v(49), json={
        "volumeAttachment": {"volumeId": logs, "tag": "logs"}})
    assert resp.status_code == 200, resp.text
    assert "tag" not in resp.json()["volumeAttachment"]
    resp = conn.compute.post(path, headers=_v(70), json={
        "volumeAttachment": {"volumeId": plain}})
    assert resp.status_code == 200, resp.text
    shown = resp.json()["volumeAttachment"]
    assert (shown["tag"], shown["volumeId"]) == (None, plain)
    assert shown["device"].startswith("/dev/vd")
    # openstackclient's --tag, then its volume list at 2.70 (Tag column).
    cloud.openstack("member", "--os-compute-api-version", "2.70", "server",
                    "add", "volume", "--tag", "again", sid, "again")
    for name in ("logs", "plain", "again"):
        wait_volume(cloud, name, "in-use")

    expected = {made["/dev/vdb"]: "scratch", made["/dev/vdc"]: None,
                logs: "logs", plain: None, again: "again"}
    key = "volumeAttachments"
    assert _tags(conn, path, 70, key, "volumeId") == expected
    assert set(_tags(conn, path, 69, key, "volumeId").values()) == \
        {"absent"}
    listed = osc_json(cloud, "member", "--os-compute-api-version", "2.70",
                      "server", "volume", "list", sid)
    assert {v["Volume ID"]: v["Tag"] for v in listed} == expected
    one = conn.compute.get(f"{path}/{logs}", headers=_v(70)).json()
    assert one["volumeAttachment"]["tag"] == "logs"
    one = conn.compute.get(f"{path}/{logs}", headers=_v(69)).json()
    assert "tag" not in one["volumeAttachment"]
    # openstacksdk negotiates 2.70 and reads the tags.
    assert {a.volume_id: a.tag for a in conn.compute.volume_attachments(
        sid)} == expected

    # Detached and attached again without a tag: the old tag is gone.
    resp = conn.compute.delete(f"{path}/{logs}", headers=_v(70))
    assert resp.status_code == 202, resp.text
    wait_volume(cloud, "logs", "available")
    _wait_detached(conn, sid, logs)
    resp = conn.compute.post(path, headers=_v(70), json={
        "volumeAttachment": {"volumeId": logs}})
    assert resp.status_code == 200, resp.text
    wait_volume(cloud, "logs", "in-use")
    assert _tags(conn, path, 70, key, "volumeId")[logs] is None


def test_interface_tags_in_attachment_bodies_from_2_70(cloud, advertise):
    advertise(70)
    conn = cloud.sdk("member")
    net = next(iter(conn.network.networks())).id
    sid = _capable_server(cloud, "ntags",
                          networks=[{"uuid": net, "tag": "boot-nic"}])
    path = f"/servers/{sid}/os-interface"
    key = "interfaceAttachments"
    first = next(iter(_tags(conn, path, 70, key, "port_id")))

    # Attached with a tag at 2.49 and at 2.70, untagged at 2.70; the
    # openstack client's --tag on a port of the user's.
    resp = conn.compute.post(path, headers=_v(49), json={
        "interfaceAttachment": {"net_id": net, "tag": "nic-49"}})
    assert resp.status_code == 200, resp.text
    assert "tag" not in resp.json()["interfaceAttachment"]
    nic49 = resp.json()["interfaceAttachment"]["port_id"]
    resp = conn.compute.post(path, headers=_v(70), json={
        "interfaceAttachment": {"net_id": net, "tag": "nic-70"}})
    assert resp.status_code == 200, resp.text
    nic70 = resp.json()["interfaceAttachment"]
    assert nic70["tag"] == "nic-70"
    resp = conn.compute.post(path, headers=_v(70), json={
        "interfaceAttachment": {"net_id": net}})
    assert resp.status_code == 200, resp.text
    untagged = resp.json()["interfaceAttachment"]
    assert untagged["tag"] is None
    port = conn.network.create_port(network_id=net, name="mine")
    cloud.openstack("member", "--os-compute-api-version", "2.70", "server",
                    "add", "port", "--tag", "mine", sid, port.id)

    expected = {first: "boot-nic", nic49: "nic-49",
                nic70["port_id"]: "nic-70", untagged["port_id"]: None,
                port.id: "mine"}
    assert _tags(conn, path, 70, key, "port_id") == expected
    assert set(_tags(conn, path, 69, key, "port_id").values()) == \
        {"absent"}
    shown = conn.compute.get(f"{path}/{nic49}", headers=_v(70)).json()
    assert shown["interfaceAttachment"]["tag"] == "nic-49"
    shown = conn.compute.get(f"{path}/{nic49}", headers=_v(69)).json()
    assert "tag" not in shown["interfaceAttachment"]
    # openstacksdk (up to 2.70) reads them too.
    assert {i.port_id: i.tag for i in conn.compute.server_interfaces(
        sid)} == expected
    # The Networking API's port shows no compute tag.
    assert "tag" not in conn.network.get(f"/ports/{port.id}").json()["port"]

    # The user's port removed (kept, unbound) and added again untagged.
    cloud.openstack("member", "server", "remove", "port", sid, port.id)
    deadline = time.monotonic() + 30
    while conn.network.get_port(port.id).device_id:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    cloud.openstack("member", "--os-compute-api-version", "2.70", "server",
                    "add", "port", sid, port.id)
    assert _tags(conn, path, 70, key, "port_id")[port.id] is None


def test_tagged_attach_refused_where_the_hypervisor_cannot(cloud,
                                                           advertise):
    advertise(70)
    conn = cloud.sdk("member")
    net = next(iter(conn.network.networks())).id
    capable = _capable_server(cloud, "capable")
    sid = _limited_server(cloud, "limited", capable)
    first, second = _volumes(cloud, "first", "second")
    volumes = f"/servers/{sid}/os-volume_attachments"
    nics = f"/servers/{sid}/os-interface"
    before = _tags(conn, nics, 70, "interfaceAttachments", "port_id")

    for minor in (49, 70):
        resp = conn.compute.post(volumes, headers=_v(minor), json={
            "volumeAttachment": {"volumeId": first, "tag": "t"}})
        assert resp.status_code == 400, resp.text
        assert resp.json()["badRequest"]["message"] == NO_TAGGED_VOLUME
        resp = conn.compute.post(nics, headers=_v(minor), json={
            "interfaceAttachment": {"net_id": net, "tag": "t"}})
        assert resp.status_code == 400, resp.text
        assert resp.json()["badRequest"]["message"] == NO_TAGGED_NIC
    assert wait_volume(cloud, "first", "available")["attachments"] == []
    assert _tags(conn, nics, 70, "interfaceAttachments",
                 "port_id") == before
    # openstackclient shows the message.
    result = cloud.openstack("member", "--os-compute-api-version", "2.70",
                             "server", "add", "volume", "--tag", "t",
                             sid, "second", check=False)
    assert result.returncode != 0
    assert NO_TAGGED_VOLUME in result.stderr
    # Untagged, it attaches there.
    resp = conn.compute.post(volumes, headers=_v(70), json={
        "volumeAttachment": {"volumeId": first}})
    assert resp.status_code == 200, resp.text
    assert wait_volume(cloud, "first", "in-use")
    resp = conn.compute.post(nics, headers=_v(70), json={
        "interfaceAttachment": {"net_id": net}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["interfaceAttachment"]["tag"] is None
