"""Compute API 2.87 and 2.93 through the in-process stack (fake
hypervisor, fake volume backend) and the stock client.

2.87: a volume-backed server may be rescued (below it Nova's 400), from
a rescue image with ``hw_rescue_device``/``hw_rescue_bus`` (stable device
rescue: its volumes stay at their devices), on a host whose hypervisor
declares ``rescue_volume_backed``. 2.93: a volume-backed server may be
rebuilt with another image than its root volume was made from (below it
Nova's 400): the volume service writes the image onto the root volume,
then the compute rebuilds the guest on it; ``volume-reimaged`` is an
external event name. The same image rebuilds on the volume as it is at
any version."""

import dataclasses
import time

import pytest

from nimbus.api import http
from nimbus.api.openstack import responses
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.volumes import fake as fake_volumes
from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
)

VOLUME_BACKED = "Cannot rescue a volume-backed instance"
OTHER_IMAGE = ("Unable to rebuild with a different image for a "
               "volume-backed server.")


@pytest.fixture
def cloud(cloud, advertise):
    advertise(93)
    return cloud


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _image(cloud, tmp_path, name, *properties):
    data = tmp_path / f"{name}.raw"
    data.write_bytes(b"\0" * 4096)
    args = [a for p in properties for a in ("--property", p)]
    return osc_json(cloud, "member", "image", "create", "--disk-format",
                    "raw", "--container-format", "bare", "--file",
                    str(data), *args, name)["id"]


def _boot_from_volume(cloud, name, **mapping):
    body = {"server": {
        "name": name, "imageRef": "", "flavorRef": "1", "networks": "none",
        "block_device_mapping_v2": [dict({
            "uuid": DEMO_IMAGE, "boot_index": 0, "source_type": "image",
            "destination_type": "volume", "volume_size": 1,
            "delete_on_termination": True}, **mapping)]}}
    resp = cloud.sdk("member").compute.post("/servers", json=body,
                                            headers=_v(87))
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    shown = _wait(cloud, sid, "ACTIVE")
    (root,) = shown["os-extended-volumes:volumes_attached"]
    return sid, root["id"]


def _show(cloud, sid, minor=93):
    resp = cloud.sdk("admin").compute.get(f"/servers/{sid}",
                                          headers=_v(minor))
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _wait(cloud, sid, status, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        shown = _show(cloud, sid)
        if shown["status"] == status and \
                shown["OS-EXT-STS:task_state"] is None:
            return shown
        assert shown["status"] != "ERROR" or status == "ERROR", \
            shown.get("fault")
        assert time.monotonic() < deadline, (shown["status"], status)
        time.sleep(0.1)


def _action(cloud, sid, minor, body, who="member"):
    return cloud.sdk(who).compute.post(f"/servers/{sid}/action", json=body,
                                       headers=_v(minor))


def _bad(resp, text):
    assert resp.status_code == 400, resp.text
    message = resp.json()["badRequest"]["message"]
    assert text in message, message
    return message


def _volume(cloud, volume_id):
    resp = cloud.sdk("admin").block_storage.get(f"/volumes/{volume_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()["volume"]


def _driver(cloud, sid):
    host = _show(cloud, sid)["OS-EXT-SRV-ATTR:host"]
    return cloud.stack.compute(host).manager.driver


def _volume_driver(cloud):
    (svc,) = [s for s in cloud.stack.started
              if getattr(s, "binary", None) == "nimbus-volume"]
    return svc.manager.driver


def _fits(body, minor):
    """A rebuild's server body against the show body Nova gives at
    2.``minor`` (less rebuild's own ``adminPass`` and ``user_data``)."""
    body = dict(body)
    assert isinstance(body.pop("adminPass"), str)
    body.pop("user_data")
    schema = responses.schema("GET", "/servers/{server_id}", (2, minor))
    http.check(body, schema["properties"]["server"])
    return body


_RESCUED = {"type": "object", "properties": {"adminPass": {"type": "string"}},
            "required": ["adminPass"], "additionalProperties": False}


def test_volume_backed_rescue_from_2_87(cloud, tmp_path):
    rescue = _image(cloud, tmp_path, "rescue", "hw_rescue_device=disk",
                    "hw_rescue_bus=virtio")
    plain = _image(cloud, tmp_path, "plain")
    sid, root = _boot_from_volume(cloud, "bfv")
    driver = _driver(cloud, sid)
    serial = root[:20]

    # Below 2.87 Nova's 400, whatever the image; nothing recorded.
    for body in ({"rescue": None}, {"rescue": {"rescue_image_ref": rescue}}):
        _bad(_action(cloud, sid, 86, body), VOLUME_BACKED)
    # 2.87: only a stable device rescue image will do.
    _bad(_action(cloud, sid, 87, {"rescue": {"rescue_image_ref": plain}}),
         VOLUME_BACKED)
    _bad(_action(cloud, sid, 87, {"rescue": None}), "rescue image")
    actions = cloud.sdk("member").compute.get(
        f"/servers/{sid}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions] == ["create"]
    assert _show(cloud, sid)["status"] == "ACTIVE"

    resp = _action(cloud, sid, 87, {"rescue": {
        "rescue_image_ref": rescue, "adminPass": "pw"}})
    assert resp.status_code == 200, resp.text
    http.check(resp.json(), _RESCUED)
    assert resp.json() == {"adminPass": "pw"}
    _wait(cloud, sid, "RESCUE")
    record = driver.guest_record(sid)
    assert record["rescue_image"] == rescue
    assert record["rescue_device"] == "disk on virtio after 1 disks"
    assert driver.disk_serials(sid) == [serial]
    assert f"root volume {serial} kept" in record["console"][-1]
    assert _volume(cloud, root)["status"] == "in-use"

    _action(cloud, sid, 87, {"unrescue": None})
    _wait(cloud, sid, "ACTIVE")
    record = driver.guest_record(sid)
    assert record["rescue_image"] is None and "rescue_device" not in record
    assert driver.disk_serials(sid) == [serial]

    # The stock client, at 2.86 refused and at 2.87 through.
    old = cloud.openstack("member", "--os-compute-api-version", "2.86",
                          "server", "rescue", "--image", "rescue", sid,
                          check=False)
    assert old.returncode == 1 and VOLUME_BACKED in old.stderr
    cloud.openstack("member", "--os-compute-api-version", "2.87", "server",
                    "rescue", "--image", "rescue", sid)
    assert _wait(cloud, sid, "RESCUE")["image"] == ""
    cloud.openstack("member", "--os-compute-api-version", "2.87", "server",
                    "unrescue", sid)
    _wait(cloud, sid, "ACTIVE")
    assert driver.guest_record(sid)["rescue_image"] is None


def test_volume_backed_rebuild_from_2_93(cloud, tmp_path):
    other = _image(cloud, tmp_path, "other", "os_distro=other")
    sid, root = _boot_from_volume(cloud, "bfv")
    driver, volumes = _driver(cloud, sid), _volume_driver(cloud)
    serial = root[:20]

    # Below 2.93 another image is Nova's 400; nothing recorded.
    message = _bad(_action(cloud, sid, 92, {"rebuild": {"imageRef": other}}),
                   OTHER_IMAGE)
    assert message == f"Image {other} is unacceptable: {OTHER_IMAGE}"
    # The image the volume was made from rebuilds on the volume as it is.
    resp = _action(cloud, sid, 92, {"rebuild": {"imageRef": DEMO_IMAGE}})
    assert resp.status_code == 202, resp.text
    assert _fits(resp.json()["server"], 92)["image"] == ""
    shown = _wait(cloud, sid, "ACTIVE")
    assert shown["image"] == ""
    assert driver.disk_serials(sid) == [serial]
    assert f"booted from volume {serial}" in driver.get_console_output(sid)
    assert _volume(cloud, root)["volume_image_metadata"]["image_id"] == \
        DEMO_IMAGE

    # 2.93: the volume service writes the new image onto the root volume.
    resp = _action(cloud, sid, 93, {"rebuild": {"imageRef": other}})
    assert resp.status_code == 202, resp.text
    assert _fits(resp.json()["server"], 93)["status"] == "REBUILD"
    shown = _wait(cloud, sid, "ACTIVE")
    assert shown["image"] == ""
    volume = _volume(cloud, root)
    assert volume["status"] == "in-use"
    assert volume["volume_image_metadata"]["image_id"] == other
    assert volume["volume_image_metadata"]["os_distro"] == "other"
    assert volume["attachments"][0]["server_id"] == sid
    assert other in volumes.images[root]
    assert driver.disk_serials(sid) == [serial]
    actions = cloud.sdk("member").compute.get(
        f"/servers/{sid}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions][:2] == ["rebuild", "rebuild"]

    # The stock client asks for --reimage-boot-volume from 2.93.
    cloud.openstack("member", "--os-compute-api-version", "2.93", "server",
                    "rebuild", "--image", "demo", "--reimage-boot-volume",
                    "--wait", sid)
    assert _volume(cloud, root)["volume_image_metadata"]["image_id"] == \
        DEMO_IMAGE
    _wait(cloud, sid, "ACTIVE")

    # A backend that fails the copy: the volume is error (Cinder's), the
    # server ERROR with the reason as its fault.
    volumes.fail_next("copy_image_to_volume")
    assert _action(cloud, sid, 93, {"rebuild": {"imageRef": other}}
                   ).status_code == 202
    failed = _wait(cloud, sid, "ERROR")
    assert "reimage" in failed["fault"]["message"]
    assert _volume(cloud, root)["status"] == "error"


def test_reimaged_event_and_multiattach_root_from_2_93(cloud, tmp_path):
    admin = cloud.sdk("admin")
    admin.block_storage.create_type(
        name="shared", extra_specs={"multiattach": "<is> True"})
    sid, root = _boot_from_volume(cloud, "shared-root", volume_type="shared")
    assert _volume(cloud, root)["multiattach"] is True
    other = _image(cloud, tmp_path, "other")
    _bad(_action(cloud, sid, 93, {"rebuild": {"imageRef": other}}),
         "multiattach")
    assert _show(cloud, sid)["status"] == "ACTIVE"

    event = {"events": [{"name": "volume-reimaged", "server_uuid": sid,
                         "tag": root}]}
    old = admin.compute.post("/os-server-external-events", json=event,
                             headers=_v(92))
    assert old.status_code == 400, old.text
    resp = admin.compute.post("/os-server-external-events", json=event,
                              headers=_v(93))
    assert resp.status_code == 200, resp.text
    http.check(resp.json(), responses.schema(
        "POST", "/os-server-external-events", (2, 93)))
    assert resp.json()["events"][0]["code"] == 200


@pytest.fixture
def limited(nimbus_conf, monkeypatch):
    """Hosts whose hypervisor cannot rescue volume-backed guests, and a
    volume backend that cannot re-image."""
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             ["rescue_volume_backed"], "fake")
    monkeypatch.setattr(
        fake_volumes.FakeVolumeDriver, "capabilities", dataclasses.replace(
            fake_volumes.FakeVolumeDriver.capabilities, reimage=False))
    yield
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def test_refused_where_the_host_or_backend_cannot(limited, cloud, tmp_path):
    rescue = _image(cloud, tmp_path, "rescue", "hw_rescue_bus=usb")
    sid, root = _boot_from_volume(cloud, "bfv")
    _bad(_action(cloud, sid, 87, {"rescue": {"rescue_image_ref": rescue}}),
         "Host unable to rescue a volume-backed instance")
    _bad(_action(cloud, sid, 93, {"rebuild": {"imageRef": rescue}}),
         f"The volume backend of volume {root} cannot re-image it.")
    assert _show(cloud, sid)["status"] == "ACTIVE"
    assert _volume(cloud, root)["status"] == "in-use"
