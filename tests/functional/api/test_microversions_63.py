"""Compute API 2.63 through the in-process stack and the stock clients:
``trusted_image_certificates`` on create and rebuild (Nova's
``parameter_types.trusted_certs``: 1-50 unique non-empty strings; null
on rebuild resets), in show, detailed list, update and rebuild bodies
(null when none), the deployment's ``[glance]
default_trusted_certificate_ids``, and Nova's 400 for certificates on a
volume-backed server.

The demo image carries no signature, so a server given trusted
certificates cannot be verified: its build ends in ERROR with the reason
as its fault (Nova's behaviour), and no guest is made. Verification of
signed images against a real Barbican is tests/integration/barbican."""

import pytest

from tests.conftest import free_port
from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
    server,
)
from tests.functional.api.test_volume_stock_clients import (
    _wait_server as wait_server,
)

V263 = "2.63"
CERTS = ["0d1f7c2e-0000-4000-8000-00000000c0a1",
         "0d1f7c2e-0000-4000-8000-00000000c0a2"]


@pytest.fixture
def no_key_manager(nimbus_conf):
    """castellan's Barbican backend pointed at ports nothing listens on
    (so a certificate read fails at once, never a default address)."""
    from castellan import options
    options.set_defaults(nimbus_conf)
    nimbus_conf.set_override("backend", "barbican", "key_manager")
    nimbus_conf.set_override(
        "barbican_endpoint", f"http://127.0.0.1:{free_port()}/", "barbican")
    nimbus_conf.set_override(
        "auth_endpoint", f"http://127.0.0.1:{free_port()}/v3", "barbican")
    return nimbus_conf


def _boot(conn, version=V263, **extra):
    body = {"server": dict({"name": "tic", "imageRef": DEMO_IMAGE,
                            "flavorRef": "1", "networks": "none"}, **extra)}
    return conn.compute.post("/servers", json=body, microversion=version)


def _show(conn, sid, version=V263):
    resp = conn.compute.get(f"/servers/{sid}", microversion=version)
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _wait_status(conn, sid, status, timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while True:
        shown = _show(conn, sid)
        if shown["status"] == status:
            return shown
        assert shown["status"] in ("BUILD", "REBUILD"), shown
        assert time.monotonic() < deadline, shown
        time.sleep(0.2)


def _rebuild(conn, sid, version=V263, **extra):
    return conn.compute.post(f"/servers/{sid}/action", json={
        "rebuild": dict({"imageRef": DEMO_IMAGE}, **extra)},
        microversion=version)


def _fault_400(resp, text):
    assert resp.status_code == 400, resp.text
    assert text in resp.json()["badRequest"]["message"], resp.text


def test_certificates_shown_and_checked_when_the_build_reads_them(
        no_key_manager, cloud):
    member = cloud.sdk("member")
    resp = _boot(member, trusted_image_certificates=CERTS)
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    # The image has no signature to check against the certificates: the
    # build stops before any guest is made, with the reason.
    shown = _wait_status(member, sid, "ERROR")
    assert shown["trusted_image_certificates"] == CERTS
    fault = shown["fault"]["message"]
    assert "Signature verification for the image failed" in fault, fault
    assert "Required image properties for signature verification do " \
           "not exist" in fault, fault
    assert sid not in cloud.stack.compute("fake-1").manager.driver \
        .list_instances() + cloud.stack.compute("fake-2").manager.driver \
        .list_instances()
    # The detailed list carries it; below 2.63 nothing does.
    resp = member.compute.get("/servers/detail", microversion=V263)
    (listed,) = [s for s in resp.json()["servers"] if s["id"] == sid]
    assert listed["trusted_image_certificates"] == CERTS
    assert "trusted_image_certificates" not in _show(member, sid, "2.62")

    # Without certificates (and no deployment defaults): null, and the
    # image's data is not checked at all.
    plain = server(cloud, "plain")
    assert _show(member, plain)["trusted_image_certificates"] is None
    resp = member.compute.put(f"/servers/{plain}", json={
        "server": {"name": "renamed"}}, microversion=V263)
    assert resp.status_code == 200, resp.text
    assert resp.json()["server"]["trusted_image_certificates"] is None

    # Rebuild: given ones are recorded (and answered); null drops them.
    resp = _rebuild(member, plain, trusted_image_certificates=CERTS[:1])
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["trusted_image_certificates"] == CERTS[:1]
    errored = _wait_status(member, plain, "ERROR")
    assert "Signature verification for the image failed" in \
        errored["fault"]["message"]
    resp = _rebuild(member, plain, trusted_image_certificates=None)
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["trusted_image_certificates"] is None
    assert _wait_status(member, plain, "ACTIVE")[
        "trusted_image_certificates"] is None


@pytest.mark.parametrize("certs", [
    [], [""], ["same", "same"], [f"c{i}" for i in range(51)], "one",
    [7], {"id": "x"}])
def test_bad_certificate_lists_are_400_and_record_nothing(cloud, certs):
    member = cloud.sdk("member")
    before = len(list(member.compute.servers()))
    resp = _boot(member, trusted_image_certificates=certs)
    assert resp.status_code == 400, resp.text
    sid = server(cloud, "target")
    resp = _rebuild(member, sid, trusted_image_certificates=certs)
    assert resp.status_code == 400, resp.text
    assert len(list(member.compute.servers())) == before + 1


def test_unknown_below_2_63_and_null_only_on_rebuild(cloud):
    member = cloud.sdk("member")
    _fault_400(_boot(member, "2.62", trusted_image_certificates=CERTS),
               "trusted_image_certificates")
    sid = server(cloud, "old")
    _fault_400(_rebuild(member, sid, "2.62",
                        trusted_image_certificates=CERTS),
               "trusted_image_certificates")
    # null at create means none (Nova's schema allows it there too).
    resp = _boot(member, trusted_image_certificates=None)
    assert resp.status_code == 202, resp.text
    new = resp.json()["server"]["id"]
    assert _wait_status(member, new, "ACTIVE")[
        "trusted_image_certificates"] is None


def test_volume_backed_servers_take_no_certificates(cloud):
    member = cloud.sdk("member")
    resp = member.compute.post("/servers", json={"server": {
        "name": "bfv", "flavorRef": "1", "networks": "none",
        "trusted_image_certificates": CERTS,
        "block_device_mapping_v2": [{
            "boot_index": 0, "uuid": DEMO_IMAGE, "source_type": "image",
            "destination_type": "volume", "volume_size": 1,
            "delete_on_termination": True}]}}, microversion=V263)
    _fault_400(resp, "Image certificate validation is not supported when "
                     "booting from volume")
    assert not list(member.block_storage.volumes())
    created = osc_json(cloud, "member", "server", "create", "--image",
                       "demo", "--boot-from-volume", "1", "--flavor",
                       "m1.tiny", "--wait", "bfv")
    assert created["status"] == "ACTIVE"
    _fault_400(_rebuild(member, created["id"],
                        trusted_image_certificates=CERTS),
               "Image certificate validation is not supported for "
               "volume-backed servers.")


def test_deployment_defaults_recorded_when_none_given(no_key_manager,
                                                      cloud):
    conf = cloud.stack.conf
    for name, value in (("verify_glance_signatures", True),
                        ("enable_certificate_validation", True),
                        ("default_trusted_certificate_ids", CERTS)):
        conf.set_override(name, value, "glance")
    member = cloud.sdk("member")
    resp = _boot(member)
    assert resp.status_code == 202, resp.text
    shown = _wait_status(member, resp.json()["server"]["id"], "ERROR")
    assert shown["trusted_image_certificates"] == CERTS
    # Given ones win over the defaults.
    resp = _boot(member, trusted_image_certificates=CERTS[1:])
    shown = _show(member, resp.json()["server"]["id"])
    assert shown["trusted_image_certificates"] == CERTS[1:]
    # A volume-backed server would get the defaults: refused.
    resp = member.compute.post("/servers", json={"server": {
        "name": "bfv", "flavorRef": "1", "networks": "none",
        "block_device_mapping_v2": [{
            "boot_index": 0, "uuid": DEMO_IMAGE, "source_type": "image",
            "destination_type": "volume", "volume_size": 1}]}},
        microversion=V263)
    _fault_400(resp, "not supported when booting from volume")


def test_stock_clients_pass_and_show_certificates(no_key_manager, cloud):
    """``openstack server create --trusted-image-cert`` (2.63), the
    openstacksdk ``trusted_image_certificates`` attribute and
    novaclient's ``trusted_image_certificates`` argument."""
    created = osc_json(
        cloud, "member", "--os-compute-api-version", V263, "server",
        "create", "--image", "demo", "--flavor", "m1.tiny", "--nic",
        "none", "--trusted-image-cert", CERTS[0], "--trusted-image-cert",
        CERTS[1], "cli")
    wait_server(cloud, "cli", "ERROR")
    shown = osc_json(cloud, "member", "--os-compute-api-version", V263,
                     "server", "show", created["id"])
    assert shown["trusted_image_certificates"] == CERTS
    member = cloud.sdk("member")
    member.compute.default_microversion = V263
    got = member.compute.get_server(created["id"])
    assert got.trusted_image_certificates == CERTS

    sid = server(cloud, "sdk-target")
    member.compute.rebuild_server(sid, DEMO_IMAGE,
                                  trusted_image_certificates=CERTS[1:])
    assert member.compute.get_server(sid).trusted_image_certificates == \
        CERTS[1:]

    nova = _novaclient(cloud, V263, "member", "demo")
    booted = nova.servers.create("nova", DEMO_IMAGE, "1", nics="none",
                                 trusted_image_certificates=CERTS[:1])
    assert nova.servers.get(booted.id).trusted_image_certificates == \
        CERTS[:1]
