"""Compute API 2.67 through the in-process stack (fake hypervisor, fake
volume backend) and the stock clients: ``volume_type`` in
``block_device_mapping_v2`` names the type of a volume made for the
server (blank, from an image or a snapshot); below 2.67 it is an unknown
property, and a type for an existing volume or a local disk, or a type
that is not there, is Nova's 400 before anything is recorded."""

import requests

from tests.functional.api.test_microversions_32_plus import _v
from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
    wait_volume,
)

EXISTING = ("Block Device Mapping is Invalid: Specifying volume type to "
            "existing volume is not supported.")
LOCAL = ("Block Device Mapping is Invalid: Specifying a volume_type with "
         "destination_type=local is not supported.")


def _post(cloud, minor, mappings, image_ref=DEMO_IMAGE, name="typed"):
    return requests.post(cloud.url + "/v2.1/servers", json={"server": {
        "name": name, "imageRef": image_ref, "flavorRef": "1",
        "networks": "none", "block_device_mapping_v2": mappings}},
        headers=dict(_v(minor), **{"X-Auth-Token": cloud.token("member")}),
        timeout=30)


def _blank(**changes):
    return dict({"source_type": "blank", "destination_type": "volume",
                 "volume_size": 1, "delete_on_termination": True}, **changes)


def test_volume_type_of_the_volumes_made_at_create_from_2_67(cloud,
                                                              advertise):
    advertise(67)
    admin = cloud.sdk("admin")
    fast = admin.block_storage.create_type(name="fast")
    admin.block_storage.create_type(name="slow")
    member = cloud.sdk("member")
    plain = member.block_storage.create_volume(size=1, name="plain")
    member.block_storage.wait_for_status(plain, "available", wait=30,
                                         interval=0.2)

    # Before 2.67 the key is unknown.
    resp = _post(cloud, 66, [_blank(volume_type="fast")])
    assert resp.status_code == 400, resp.text
    assert "'volume_type' was unexpected" in \
        resp.json()["badRequest"]["message"]
    # Nova's 400s at 2.67, nothing recorded.
    bad = [
        ([{"uuid": plain.id, "source_type": "volume",
           "destination_type": "volume", "volume_type": "fast"}], EXISTING),
        ([{"uuid": DEMO_IMAGE, "source_type": "image",
           "destination_type": "local", "boot_index": 0,
           "volume_type": "fast"}], LOCAL),
        ([_blank(volume_type="nosuch")],
         "Volume type nosuch could not be found."),
        ([_blank(volume_type="x" * 256)], "volume_type"),
    ]
    for mappings, message in bad:
        resp = _post(cloud, 67, mappings)
        assert resp.status_code == 400, (mappings, resp.text)
        assert message in resp.json()["badRequest"]["message"], resp.text
    assert list(member.compute.servers()) == []
    assert [v.name for v in member.block_storage.volumes()] == ["plain"]

    # A blank volume by type name, a boot volume from the image by type
    # id; a null or empty type is the default type.
    resp = _post(cloud, 67, [
        dict(_blank(volume_type=fast.id), uuid=DEMO_IMAGE,
             source_type="image", boot_index=0),
        _blank(volume_type="slow"), _blank(volume_type=None),
        _blank(volume_type="")], image_ref="")
    assert resp.status_code == 202, resp.text
    server = member.compute.wait_for_server(
        member.compute.get_server(resp.json()["server"]["id"]),
        wait=60, interval=0.2)
    types = {}
    for attachment in member.compute.volume_attachments(server):
        volume = member.block_storage.get_volume(attachment.volume_id)
        assert volume.status == "in-use"
        types[attachment.device] = volume.volume_type
    default = member.block_storage.get_volume(plain.id).volume_type
    assert types == {"/dev/vda": "fast", "/dev/vdb": "slow",
                     "/dev/vdc": default, "/dev/vdd": default}


def test_openstack_cli_block_device_volume_type_at_2_67(cloud, advertise):
    """openstackclient's ``--block-device ...,volume_type=`` needs 2.67
    (it refuses it below) and sends it at 2.67."""
    advertise(67)
    cloud.sdk("admin").block_storage.create_type(name="gold")
    args = ("server", "create", "--image", "demo", "--flavor", "m1.tiny",
            "--nic", "none", "--block-device",
            "source_type=blank,destination_type=volume,volume_size=1,"
            "volume_type=gold,delete_on_termination=true", "--wait", "cli")
    old = cloud.openstack("member", "--os-compute-api-version", "2.66",
                          *args, check=False)
    assert old.returncode != 0 and "2.67" in old.stderr
    created = osc_json(cloud, "member", "--os-compute-api-version", "2.67",
                       *args)
    assert created["status"] == "ACTIVE"
    attached = osc_json(cloud, "member", "server", "volume", "list", "cli")
    assert len(attached) == 1
    volume = wait_volume(cloud, attached[0]["Volume ID"], "in-use")
    assert volume["type"] == "gold"
    # delete_on_termination: the typed volume goes with the server.
    cloud.openstack("member", "server", "delete", "--wait", "cli")
    conn = cloud.sdk("member")
    assert [v.id for v in conn.block_storage.volumes()
            if v.status != "deleting"] == []
