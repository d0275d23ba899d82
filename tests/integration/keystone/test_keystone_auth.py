"""nimbus slots into an existing cloud's Keystone: stock clients
authenticate with passwords at a real Keystone (installed from PyPI and
served on 127.0.0.1), find nimbus in its catalog, and nimbus validates
their tokens through keystonemiddleware."""

import datetime
import json
import time

import pytest
import requests

from tests.integration.keystone import cloud as cloud_mod

pytestmark = pytest.mark.real


def _server_names(cloud, who):
    rows = json.loads(cloud.openstack(who, "server", "list", "-f",
                                      "json").stdout)
    return [r["Name"] for r in rows]


def test_openstack_cli_server_lifecycle(keystone_cloud):
    cloud = keystone_cloud
    created = json.loads(cloud.openstack(
        "demo", "server", "create", "--image", "demo", "--flavor",
        "m1.tiny", "--wait", "kvm1", "-f", "json").stdout)
    assert created["status"] == "ACTIVE"
    rows = json.loads(cloud.openstack("demo", "server", "list", "-f",
                                      "json").stdout)
    assert [(r["Name"], r["Status"], r["Image"]) for r in rows] == \
        [("kvm1", "ACTIVE", "demo")]
    # A member of another project sees nothing of it.
    assert _server_names(cloud, "other") == []
    shown = cloud.openstack("other", "server", "show", created["id"],
                            check=False)
    assert shown.returncode == 1 and "No Server found" in shown.stderr
    cloud.openstack("demo", "server", "delete", "--wait", "kvm1")
    assert _server_names(cloud, "demo") == []


def test_openstack_cli_volumes_found_in_keystones_catalog(keystone_cloud):
    cloud = keystone_cloud
    created = json.loads(cloud.openstack(
        "demo", "volume", "create", "--size", "1", "kvol", "-f",
        "json").stdout)
    assert created["size"] == 1
    deadline = time.monotonic() + 30
    while json.loads(cloud.openstack("demo", "volume", "show", "kvol", "-f",
                                     "json").stdout)["status"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    rows = json.loads(cloud.openstack("other", "volume", "list", "-f",
                                      "json").stdout)
    assert rows == []
    cloud.openstack("demo", "volume", "delete", "kvol")


def test_sdk_with_password_auth_at_keystone(keystone_cloud):
    conn = keystone_cloud.sdk("demo")
    image = conn.image.find_image("demo", ignore_missing=False)
    flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    server = conn.compute.create_server(name="ksdk", image_id=image.id,
                                        flavor_id=flavor.id, networks="auto")
    try:
        server = conn.compute.wait_for_server(server, interval=0.2,
                                              wait=60)
        assert server.status == "ACTIVE"
        assert server.project_id == conn.current_project_id
        assert [s.name for s in conn.compute.servers()] == ["ksdk"]
        other = keystone_cloud.sdk("other")
        assert other.compute.find_server(server.id,
                                         ignore_missing=True) is None
    finally:
        conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)


def test_admin_role_is_nimbus_admin(keystone_cloud):
    cloud = keystone_cloud
    rows = json.loads(cloud.openstack("admin", "hypervisor", "list", "-f",
                                      "json").stdout)
    assert [r["Hypervisor Hostname"] for r in rows] == ["fake-1"]
    denied = cloud.openstack("demo", "hypervisor", "list", check=False)
    assert denied.returncode == 1 and "403" in denied.stderr


def _assert_unauthorized(resp, keystone_url):
    assert resp.status_code == 401, resp.text
    assert resp.json() == {"unauthorized": {
        "code": 401, "message": "Authentication required."}}
    # One challenge, naming the Keystone that issues tokens.
    assert resp.raw.headers.getlist("WWW-Authenticate") == \
        [f'Keystone uri="{keystone_url}"']


def test_bad_tokens_get_nova_fault(keystone_cloud):
    cloud = keystone_cloud
    url = cloud.url + "/v2.1/servers"
    token, _ = cloud.password_token("demo", "demo")
    assert requests.get(url, headers={"X-Auth-Token": token},
                        timeout=30).status_code == 200
    forged = token[:-6] + "AAAAAA"
    for headers in ({}, {"X-Auth-Token": "garbage"},
                    {"X-Auth-Token": forged}, {"X-Auth-Token": "demo:demo"}):
        _assert_unauthorized(requests.get(url, headers=headers, timeout=30),
                             cloud.keystone_url)
    image = requests.get(cloud.url + "/image/v2/images",
                         headers={"X-Auth-Token": "garbage"}, timeout=30)
    assert image.status_code == 401
    assert image.raw.headers.getlist("WWW-Authenticate") == \
        [f'Keystone uri="{cloud.keystone_url}"']


def test_revoked_token_is_401(keystone_cloud):
    cloud = keystone_cloud
    token, _ = cloud.password_token("demo", "demo")
    resp = requests.delete(cloud.keystone_url + "/auth/tokens",
                           headers={"X-Auth-Token": token,
                                    "X-Subject-Token": token}, timeout=30)
    assert resp.status_code == 204
    _assert_unauthorized(
        requests.get(cloud.url + "/v2.1/servers",
                     headers={"X-Auth-Token": token}, timeout=30),
        cloud.keystone_url)


_SHORT_LIFETIME = 20


def test_expired_token_is_401(keystone_cloud):
    """A token of an application credential expires with it (Keystone
    caps it): valid, then 401 once expired, even though nimbus's
    auth_token had cached it."""
    cloud = keystone_cloud
    token, body = cloud.password_token("demo", "demo")
    # Long enough that a loaded CI machine still asks within it: creating
    # the credential and its token took 6.7 s once, past a 5 s lifetime.
    expires = datetime.datetime.now(datetime.UTC) + \
        datetime.timedelta(seconds=_SHORT_LIFETIME)
    resp = requests.post(
        f"{cloud.keystone_url}/users/{body['user']['id']}"
        "/application_credentials", headers={"X-Auth-Token": token},
        json={"application_credential": {
            "name": "short-lived",
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S")}},
        timeout=30)
    assert resp.status_code == 201, resp.text
    cred = resp.json()["application_credential"]
    short, short_body = cloud.issue_token({
        "methods": ["application_credential"],
        "application_credential": {"id": cred["id"],
                                   "secret": cred["secret"]}})
    assert short_body["expires_at"].startswith(
        expires.strftime("%Y-%m-%dT%H:%M:%S"))
    url = cloud.url + "/v2.1/servers"
    asked = time.time()
    valid = requests.get(url, headers={"X-Auth-Token": short}, timeout=30)
    assert asked < expires.timestamp(), "the token was asked for too late"
    assert valid.status_code == 200, valid.text
    cloud_mod.wait_until(expires.timestamp() + 1)
    assert time.time() > expires.timestamp()
    _assert_unauthorized(
        requests.get(url, headers={"X-Auth-Token": short}, timeout=30),
        cloud.keystone_url)
