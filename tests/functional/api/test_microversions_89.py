"""Compute API 2.89 through the in-process stack (fake hypervisor, fake
volume backend) and the stock clients: volume attachment list and show
bodies carry ``attachment_id`` (the volume service's attachment) and
``bdm_uuid`` (the block device mapping's) instead of ``id``; the attach's
answer is as at 2.79 (Nova's)."""

import uuid

from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
    wait_volume,
)


def test_attachment_ids_in_volume_attachment_bodies_from_2_89(cloud,
                                                              advertise):
    advertise(89)
    conn = cloud.sdk("member")
    resp = conn.compute.post("/servers", headers=_v(42), json={"server": {
        "name": "ids", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "networks": "none", "block_device_mapping_v2": [{
            "source_type": "blank", "destination_type": "volume",
            "volume_size": 1, "tag": "made"}]}})
    assert resp.status_code == 202, resp.text
    sid = conn.compute.wait_for_server(
        conn.compute.get_server(resp.json()["server"]["id"]),
        wait=60, interval=0.2).id
    cloud.openstack("member", "volume", "create", "--size", "1", "later")
    later = wait_volume(cloud, "later", "available")["id"]
    path = f"/servers/{sid}/os-volume_attachments"

    resp = conn.compute.post(path, headers=_v(89), json={
        "volumeAttachment": {"volumeId": later, "tag": "later",
                             "delete_on_termination": True}})
    assert resp.status_code == 200, resp.text
    body = resp.json()["volumeAttachment"]
    assert body["id"] == later and "attachment_id" not in body
    wait_volume(cloud, "later", "in-use")

    # The volume service's attachment ids.
    expected = {}
    for attachment in conn.compute.volume_attachments(sid):
        volume = conn.block_storage.get_volume(attachment.volume_id)
        expected[volume.id] = volume.attachments[0]["attachment_id"]
    assert len(expected) == 2

    old = conn.compute.get(path, headers=_v(88)).json()["volumeAttachments"]
    assert all("id" in a and "attachment_id" not in a and
               "bdm_uuid" not in a for a in old)
    new = conn.compute.get(path, headers=_v(89)).json()["volumeAttachments"]
    assert all("id" not in a for a in new)
    assert {a["volumeId"]: a["attachment_id"] for a in new} == expected
    bdms = {a["volumeId"]: a["bdm_uuid"] for a in new}
    assert len(set(bdms.values())) == 2
    for value in bdms.values():
        uuid.UUID(value)
    assert {a["volumeId"]: (a["tag"], a["delete_on_termination"])
            for a in new}[later] == ("later", True)
    shown = conn.compute.get(f"{path}/{later}", headers=_v(89)).json()[
        "volumeAttachment"]
    assert (shown["attachment_id"], shown["bdm_uuid"]) == (
        expected[later], bdms[later])
    assert "id" not in shown

    # openstackclient at 2.89: the two id columns, no ID; openstacksdk
    # (up to 2.89) reads them.
    listed = osc_json(cloud, "member", "--os-compute-api-version", "2.89",
                      "server", "volume", "list", sid)
    assert {v["Volume ID"]: (v["Attachment ID"],
                             v["BlockDeviceMapping UUID"])
            for v in listed} == {k: (expected[k], bdms[k])
                                 for k in expected}
    assert all("ID" not in v for v in listed)
    assert {a.volume_id: (a.attachment_id, a.bdm_id)
            for a in conn.compute.volume_attachments(sid)} == {
        k: (expected[k], bdms[k]) for k in expected}
