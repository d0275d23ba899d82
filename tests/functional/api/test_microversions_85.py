"""Compute API 2.85 through the in-process stack (fake hypervisor, fake
volume backend) and the stock clients: PUT of a volume attachment changes
its ``delete_on_termination`` (the other fields of the body must be what
they are: Nova's 400s), and the server's delete honours the new value.
Below 2.85, and from 2.85 with another ``volumeId``, PUT is Nova's swap:
administrators only, and as nimbus's volume service never migrates a
volume, Nova's 409 for a volume that is not migrating."""

import time

from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    osc_json,
    server,
    wait_volume,
)

NOT_MIGRATING = ("volume {} is not migrating; this API should only be "
                 "called by Cinder")


def test_put_delete_on_termination_from_2_85(cloud, advertise):
    advertise(85)
    sid = server(cloud, "upd")
    for name in ("keep", "drop", "other"):
        cloud.openstack("member", "volume", "create", "--size", "1", name)
    keep, drop, other = (wait_volume(cloud, n, "available")["id"]
                         for n in ("keep", "drop", "other"))
    conn = cloud.sdk("member")
    admin = cloud.sdk("admin")
    path = f"/servers/{sid}/os-volume_attachments"
    for volume_id, flag in ((keep, True), (drop, False)):
        resp = conn.compute.post(path, headers=_v(85), json={
            "volumeAttachment": {"volumeId": volume_id, "tag": "t",
                                 "delete_on_termination": flag}})
        assert resp.status_code == 200, resp.text
    wait_volume(cloud, "keep", "in-use")
    wait_volume(cloud, "drop", "in-use")

    def put(caller, minor, volume_id, **body):
        return caller.compute.put(f"{path}/{volume_id}", headers=_v(minor),
                                  json={"volumeAttachment": body})

    def flags():
        listed = conn.compute.get(path, headers=_v(85)).json()
        return {a["volumeId"]: a["delete_on_termination"]
                for a in listed["volumeAttachments"]}

    # Below 2.85: the swap, for administrators only, and a 409 as the
    # volume is not migrating; delete_on_termination is unknown there.
    resp = put(conn, 84, keep, volumeId=keep)
    assert resp.status_code == 403, resp.text
    resp = put(admin, 84, keep, volumeId=other)
    assert resp.status_code == 409, resp.text
    assert resp.json()["conflictingRequest"]["message"] == \
        NOT_MIGRATING.format(keep)
    resp = put(admin, 84, keep, volumeId=keep, delete_on_termination=False)
    assert resp.status_code == 400, resp.text
    assert flags() == {keep: True, drop: False}

    # 2.85: the member changes it; Nova's 400s for the fixed fields.
    resp = put(conn, 85, keep, volumeId=keep, delete_on_termination=False)
    assert resp.status_code == 202, resp.text
    assert resp.text == ""
    assert flags() == {keep: False, drop: False}
    device = conn.compute.get(f"{path}/{drop}", headers=_v(85)).json()[
        "volumeAttachment"]["device"]
    resp = put(conn, 85, drop, volumeId=drop, id=drop, serverId=sid,
               device=device, tag="t", delete_on_termination="yes")
    assert resp.status_code == 202, resp.text
    assert flags() == {keep: False, drop: True}
    for field, value in (("id", keep), ("serverId", other),
                         ("device", "/dev/vdz"), ("tag", "other")):
        resp = put(conn, 85, drop, volumeId=drop, **{field: value},
                   delete_on_termination=False)
        assert resp.status_code == 400, (field, resp.text)
        assert resp.json()["badRequest"]["message"] == \
            f"The {field} property is not mutable"
    for wrong in ("maybe", None, 1):
        assert put(conn, 85, drop, volumeId=drop,
                   delete_on_termination=wrong).status_code == 400
    resp = put(conn, 85, other, volumeId=other, delete_on_termination=True)
    assert resp.status_code == 404, resp.text
    assert resp.json()["itemNotFound"]["message"] == \
        f"No volume Block Device Mapping with id {other}."
    # Another volumeId at 2.85 is the swap again.
    assert put(conn, 85, drop, volumeId=other).status_code == 403
    resp = put(admin, 85, drop, volumeId=other)
    assert resp.status_code == 409, resp.text
    assert flags() == {keep: False, drop: True}

    # openstackclient's server volume set (2.85).
    old = cloud.openstack("member", "--os-compute-api-version", "2.84",
                          "server", "volume", "set",
                          "--delete-on-termination", sid, "keep",
                          check=False)
    assert old.returncode != 0 and "2.85" in old.stderr
    cloud.openstack("member", "--os-compute-api-version", "2.85", "server",
                    "volume", "set", "--delete-on-termination", sid, "keep")
    cloud.openstack("member", "--os-compute-api-version", "2.85", "server",
                    "volume", "set", "--preserve-on-termination", sid,
                    "drop")
    listed = osc_json(cloud, "member", "--os-compute-api-version", "2.85",
                      "server", "volume", "list", sid)
    assert {v["Volume ID"]: v["Delete On Termination?"]
            for v in listed} == {keep: True, drop: False}

    # The delete honours the values set last.
    cloud.openstack("member", "server", "delete", "--wait", sid)
    deadline = time.monotonic() + 30
    while True:
        left = {v.id: v.status for v in conn.block_storage.volumes()}
        if keep not in left and left.get(drop) == "available":
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.2)
