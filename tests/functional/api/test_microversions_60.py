"""Compute API 2.60 through the in-process stack and the stock clients:
a volume of a type whose ``multiattach`` extra spec is ``<is> True`` is
attached to several servers (one attachment each) and given to a new
server while attached elsewhere; below 2.60 it is Nova's 400, on a host
whose hypervisor does not declare ``supports_multiattach`` Nova's 409.
``fake-2`` runs without that capability; ``same_host`` and
``different_host`` hints place the servers."""

import time

import pytest

from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests.functional.api.test_volume_stock_clients import osc_json

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
LIMITED = "fake-2"
OLD_MICROVERSION = ("Multiattach volumes are only supported starting "
                    "with compute API version 2.60.")


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             [f"{LIMITED}:supports_multiattach"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def _boot(conn, name, hints=None, microversion="2.60", **server):
    body = {"server": dict({"name": name, "imageRef": IMAGE,
                            "flavorRef": "1", "networks": "auto"},
                           **server)}
    if hints:
        body["os:scheduler_hints"] = hints
    return conn.compute.post("/servers", json=body,
                             microversion=microversion)


def _server(conn, name, hints=None, **server):
    resp = _boot(conn, name, hints, **server)
    assert resp.status_code == 202, resp.text
    return conn.compute.wait_for_server(
        conn.compute.get_server(resp.json()["server"]["id"]),
        interval=0.2, wait=60)


def _placed(cloud, conn):
    """Two servers of ``conn``'s on the capable host and one on
    ``fake-2`` (where they are is for the admin to see)."""
    def host(server):
        return cloud.sdk("admin").compute.get_server(server.id).compute_host

    first = _server(conn, "ma-1")
    if host(first) == LIMITED:
        capable = _server(conn, "ma-2", {"different_host": first.id})
        pair = [capable, _server(conn, "ma-3", {"same_host": capable.id})]
        limited = first
    else:
        pair = [first, _server(conn, "ma-2", {"same_host": first.id})]
        limited = _server(conn, "ma-3", {"different_host": first.id})
    assert {host(s) for s in pair} == {"fake-1"}
    assert host(limited) == LIMITED
    return pair, limited


def _attach(conn, server_id, volume_id, microversion):
    return conn.compute.post(
        f"/servers/{server_id}/os-volume_attachments",
        json={"volumeAttachment": {"volumeId": volume_id}},
        microversion=microversion)


def _wait_attachments(conn, volume_id, count):
    deadline = time.monotonic() + 30
    while True:
        volume = conn.block_storage.get_volume(volume_id)
        if len(volume.attachments) == count and volume.status in (
                "in-use", "available"):
            return volume
        assert time.monotonic() < deadline, (volume.status,
                                             volume.attachments)
        time.sleep(0.2)


def _multiattach_volume(cloud, type_name, name):
    """A new available volume of a new type with Cinder's multiattach
    extra spec (the type made by the admin, the volume by the member)."""
    cloud.sdk("admin").block_storage.create_type(
        name=type_name, extra_specs={"multiattach": "<is> True"})
    member = cloud.sdk("member")
    volume = member.block_storage.create_volume(
        size=1, name=name, volume_type=type_name)
    return member.block_storage.wait_for_status(
        volume, "available", wait=30, interval=0.2)


def test_a_multiattach_volume_on_two_servers(cloud):
    member = cloud.sdk("member")
    volume = _multiattach_volume(cloud, "multiattach", "shared")
    assert volume.is_multiattach is True
    (first, second), limited = _placed(cloud, member)

    # Below 2.60: Nova's 400, nothing attached.
    resp = _attach(member, first.id, volume.id, "2.59")
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == OLD_MICROVERSION
    # 2.60: openstacksdk attaches it to the first server, the openstack
    # client to the second.
    member.compute.create_volume_attachment(first, volume=volume)
    _wait_attachments(member, volume.id, 1)
    cloud.openstack("member", "--os-compute-api-version", "2.60", "server",
                    "add", "volume", second.id, "shared")
    shown = osc_json(cloud, "member", "volume", "show", "shared")
    assert (shown["status"], shown["multiattach"]) == ("in-use", True)
    assert sorted(a["server_id"] for a in shown["attachments"]) == \
        sorted([first.id, second.id])
    compute = cloud.stack.compute("fake-1")
    for server in (first, second):
        assert volume.id[:20] in \
            compute.manager.driver.shareable_serials(server.id)

    # Refused: the same server twice, a host that cannot share disks, an
    # extend while in use (Cinder's 400).
    again = _attach(member, first.id, volume.id, "2.60")
    assert again.status_code == 400, again.text
    resp = _attach(member, limited.id, volume.id, "2.60")
    assert resp.status_code == 409, resp.text
    assert "has 'multiattach' set" in \
        resp.json()["conflictingRequest"]["message"]
    resp = member.block_storage.post(
        f"/volumes/{volume.id}/action",
        json={"os-extend": {"new_size": 2}}, microversion="3.42")
    assert resp.status_code == 400, resp.text
    assert "multiattach" in resp.json()["badRequest"]["message"]

    # Detaching one server leaves it in use by the other.
    member.compute.delete_volume_attachment(first, volume)
    left = _wait_attachments(member, volume.id, 1)
    assert left.status == "in-use"
    assert [a["server_id"] for a in left.attachments] == [second.id]
    assert compute.manager.driver.disk_serials(first.id) == []
    member.compute.delete_volume_attachment(second, volume)
    assert _wait_attachments(member, volume.id, 0).status == "available"


def test_a_new_server_is_given_a_multiattach_volume_in_use(cloud):
    member = cloud.sdk("member")
    volume = _multiattach_volume(cloud, "shared-type", "boot-shared")
    (first, _), _ = _placed(cloud, member)
    member.compute.create_volume_attachment(first, volume=volume)
    _wait_attachments(member, volume.id, 1)
    mapping = [{"uuid": IMAGE, "boot_index": 0, "source_type": "image",
                "destination_type": "local"},
               {"uuid": volume.id, "source_type": "volume",
                "destination_type": "volume"}]
    old = _boot(member, "too-old", {"same_host": first.id},
                microversion="2.59", block_device_mapping_v2=mapping)
    assert old.status_code == 400, old.text
    assert old.json()["badRequest"]["message"] == OLD_MICROVERSION
    given = _server(member, "given", {"same_host": first.id},
                    block_device_mapping_v2=mapping)
    assert given.status == "ACTIVE"
    shown = _wait_attachments(member, volume.id, 2)
    assert sorted(a["server_id"] for a in shown.attachments) == \
        sorted([first.id, given.id])
    # A plain volume still takes one server only.
    plain = member.block_storage.create_volume(size=1, name="plain")
    plain = member.block_storage.wait_for_status(plain, "available",
                                                 wait=30, interval=0.2)
    member.compute.create_volume_attachment(first, volume=plain)
    member.block_storage.wait_for_status(plain, "in-use", wait=30,
                                         interval=0.2)
    resp = _attach(member, given.id, plain.id, "2.60")
    assert resp.status_code == 409, resp.text
