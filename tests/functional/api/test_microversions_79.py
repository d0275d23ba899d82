"""Compute API 2.79 through the in-process stack (fake hypervisor, fake
volume backend) and the stock clients: ``delete_on_termination`` on a
volume attach (Nova's boolean; an unknown property below 2.79), shown in
attachment bodies from 2.79 and in the server's ``volumes_attached``, and
honoured when the server is deleted: such a volume is detached and
deleted, the others are left available. A volume detached before the
server goes is left alone whatever it was attached with."""

import time

from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    osc_json,
    server,
    wait_volume,
)


def _volumes(cloud, *names):
    for name in names:
        cloud.openstack("member", "volume", "create", "--size", "1", name)
    return [wait_volume(cloud, name, "available")["id"] for name in names]


def test_delete_on_termination_at_attach_from_2_79(cloud, advertise):
    advertise(79)
    sid = server(cloud, "dot")
    goes, stays, cli_goes, cli_stays, detached = _volumes(
        cloud, "goes", "stays", "cli-goes", "cli-stays", "detached")
    conn = cloud.sdk("member")
    path = f"/servers/{sid}/os-volume_attachments"

    def attach(minor, volume_id, **extra):
        return conn.compute.post(path, headers=_v(minor), json={
            "volumeAttachment": dict(volumeId=volume_id, **extra)})

    # Below 2.79 an unknown property; Nova's boolean at 2.79.
    resp = attach(78, goes, delete_on_termination=True)
    assert resp.status_code == 400, resp.text
    assert "'delete_on_termination' was unexpected" in \
        resp.json()["badRequest"]["message"]
    for wrong in ("maybe", 2, None, "t"):
        resp = attach(79, goes, delete_on_termination=wrong)
        assert resp.status_code == 400, (wrong, resp.text)
    assert wait_volume(cloud, "goes", "available")["attachments"] == []

    resp = attach(79, goes, delete_on_termination=True, tag="g")
    assert resp.status_code == 200, resp.text
    body = resp.json()["volumeAttachment"]
    assert (body["delete_on_termination"], body["tag"]) == (True, "g")
    resp = attach(79, stays)
    assert resp.status_code == 200, resp.text
    assert resp.json()["volumeAttachment"]["delete_on_termination"] is False
    resp = attach(79, detached, delete_on_termination="yes")
    assert resp.status_code == 200, resp.text
    # openstackclient's --enable/--disable-delete-on-termination (2.79).
    osc = ("member", "--os-compute-api-version", "2.79", "server", "add",
           "volume")
    cloud.openstack(*osc, "--enable-delete-on-termination", sid,
                    "cli-goes")
    cloud.openstack(*osc, "--disable-delete-on-termination", sid,
                    "cli-stays")
    old = cloud.openstack("member", "--os-compute-api-version", "2.78",
                          "server", "add", "volume",
                          "--enable-delete-on-termination", sid, "cli-goes",
                          check=False)
    assert old.returncode != 0 and "2.79" in old.stderr
    for name in ("goes", "stays", "cli-goes", "cli-stays", "detached"):
        wait_volume(cloud, name, "in-use")

    expected = {goes: True, stays: False, cli_goes: True, cli_stays: False,
                detached: True}
    listed = conn.compute.get(path, headers=_v(79)).json()
    assert {a["volumeId"]: a["delete_on_termination"]
            for a in listed["volumeAttachments"]} == expected
    listed = conn.compute.get(path, headers=_v(78)).json()
    assert all("delete_on_termination" not in a
               for a in listed["volumeAttachments"])
    shown = conn.compute.get(f"{path}/{goes}", headers=_v(79)).json()
    assert shown["volumeAttachment"]["delete_on_termination"] is True
    cli = osc_json(cloud, "member", "--os-compute-api-version", "2.79",
                   "server", "volume", "list", sid)
    assert {v["Volume ID"]: v["Delete On Termination?"] for v in cli} == \
        expected
    assert {a.volume_id: a.delete_on_termination
            for a in conn.compute.volume_attachments(sid)} == expected
    # The server's volumes_attached says the same (2.3).
    attached = conn.compute.get(f"/servers/{sid}", headers=_v(79)).json()[
        "server"]["os-extended-volumes:volumes_attached"]
    assert {v["id"]: v["delete_on_termination"] for v in attached} == \
        expected

    # Detached first: it stays when the server goes.
    assert conn.compute.delete(f"{path}/{detached}").status_code == 202
    wait_volume(cloud, "detached", "available")
    deadline = time.monotonic() + 30
    while detached in {a.volume_id
                       for a in conn.compute.volume_attachments(sid)}:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    cloud.openstack("member", "server", "delete", "--wait", sid)
    deadline = time.monotonic() + 30
    while True:
        left = {v.id: v.status for v in conn.block_storage.volumes()}
        if goes not in left and cli_goes not in left and all(
                left.get(v) == "available"
                for v in (stays, cli_stays, detached)):
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.2)


def test_delete_on_termination_of_a_shelved_offloaded_server(cloud,
                                                             advertise):
    """Attached while the server is shelved and offloaded (2.20, only
    recorded): the API deletes it with the server."""
    advertise(79)
    sid = server(cloud, "offloaded")
    goes, stays = _volumes(cloud, "off-goes", "off-stays")
    cloud.openstack("member", "server", "shelve", sid)
    conn = cloud.sdk("member")
    deadline = time.monotonic() + 30
    while conn.compute.get_server(sid).status != "SHELVED_OFFLOADED":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    path = f"/servers/{sid}/os-volume_attachments"
    for volume_id, flag in ((goes, True), (stays, False)):
        resp = conn.compute.post(path, headers=_v(79), json={
            "volumeAttachment": {"volumeId": volume_id,
                                 "delete_on_termination": flag}})
        assert resp.status_code == 200, resp.text
    wait_volume(cloud, "off-goes", "in-use")
    wait_volume(cloud, "off-stays", "in-use")
    cloud.openstack("member", "server", "delete", "--wait", sid)
    deadline = time.monotonic() + 30
    while True:
        left = {v.id: v.status for v in conn.block_storage.volumes()}
        if goes not in left and left.get(stays) == "available":
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.2)
