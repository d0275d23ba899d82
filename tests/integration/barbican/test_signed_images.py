"""Signed images booted through nimbus with a real Barbican holding the
certificates (Compute API 2.63, ``[glance] verify_glance_signatures``
and ``enable_certificate_validation`` on): a correctly signed image whose
signing certificate chains to a trusted CA boots; tampered data, an
untrusted signer and a missing signature each end the build in ERROR
with the reason as the server's fault, and no guest is made."""

import time

import pytest

from tests.integration.barbican import signing

V263 = "2.63"


@pytest.fixture(scope="module")
def publisher(signing_cloud):
    """A trusted authority and a rogue one, both stored in Barbican."""
    trusted, rogue = signing.Authority("trusted"), signing.Authority("rogue")
    ids = {"ca": signing_cloud.store_certificate(trusted.ca),
           "signer": signing_cloud.store_certificate(trusted.cert),
           "rogue_ca": signing_cloud.store_certificate(rogue.ca),
           "rogue_signer": signing_cloud.store_certificate(rogue.cert)}
    return trusted, rogue, ids


def _boot(signing_cloud, name, image_id, certs):
    conn = signing_cloud.cloud.sdk(signing.USER)
    resp = conn.compute.post("/servers", json={"server": {
        "name": name, "imageRef": image_id, "flavorRef": "1",
        "networks": "none", "trusted_image_certificates": certs}},
        microversion=V263)
    assert resp.status_code == 202, resp.text
    return resp.json()["server"]["id"]


def _settled(signing_cloud, server_id, timeout=60):
    conn = signing_cloud.cloud.sdk(signing.USER)
    deadline = time.monotonic() + timeout
    while True:
        resp = conn.compute.get(f"/servers/{server_id}", microversion=V263)
        assert resp.status_code == 200, resp.text
        server = resp.json()["server"]
        if server["status"] != "BUILD":
            return server
        assert time.monotonic() < deadline, server
        time.sleep(0.3)


def test_signed_image_boots_when_its_signer_is_trusted(signing_cloud,
                                                       publisher):
    trusted, _, ids = publisher
    data = signing.random_image()
    image = signing_cloud.upload_image("signed", data, trusted,
                                       cert_id=ids["signer"])
    created = signing_cloud.cloud.openstack(
        signing.USER, "--os-compute-api-version", V263, "server", "create",
        "--image", image, "--flavor", "m1.tiny", "--nic", "none",
        "--trusted-image-cert", ids["ca"], "--wait", "-f", "json", "good")
    assert '"status": "ACTIVE"' in created.stdout, created.stdout
    server = _settled(signing_cloud,
                      signing_cloud.cloud.sdk(signing.USER).compute
                      .find_server("good").id)
    assert server["status"] == "ACTIVE"
    assert server["trusted_image_certificates"] == [ids["ca"]]


def test_tampered_data_is_refused(signing_cloud, publisher):
    trusted, _, ids = publisher
    data = signing.random_image()
    tampered = bytearray(data)
    tampered[1000] ^= 0x01
    image = signing_cloud.upload_image("tampered", bytes(tampered), trusted,
                                       signature_of=data,
                                       cert_id=ids["signer"])
    server = _settled(signing_cloud, _boot(signing_cloud, "tampered",
                                           image, [ids["ca"]]))
    assert server["status"] == "ERROR"
    assert "the signature does not match the image data" in \
        server["fault"]["message"], server["fault"]


def test_signer_not_chained_to_a_trusted_certificate_is_refused(
        signing_cloud, publisher):
    _, rogue, ids = publisher
    data = signing.random_image()
    image = signing_cloud.upload_image("rogue", data, rogue,
                                       cert_id=ids["rogue_signer"])
    server = _settled(signing_cloud, _boot(signing_cloud, "rogue", image,
                                           [ids["ca"]]))
    assert server["status"] == "ERROR"
    fault = server["fault"]["message"]
    assert "Image signature certificate validation failed for " \
           f"certificate: {ids['rogue_signer']}" in fault, fault
    # The same image with its own CA trusted boots: the signature is good.
    server = _settled(signing_cloud, _boot(signing_cloud, "rogue-ok", image,
                                           [ids["rogue_ca"]]))
    assert server["status"] == "ACTIVE", server


def test_unsigned_image_is_refused_when_verification_is_on(signing_cloud,
                                                           publisher):
    _, _, ids = publisher
    image = signing_cloud.upload_image("unsigned", signing.random_image())
    server = _settled(signing_cloud, _boot(signing_cloud, "unsigned", image,
                                           [ids["ca"]]))
    assert server["status"] == "ERROR"
    assert "Required image properties for signature verification do " \
           "not exist" in server["fault"]["message"], server["fault"]
