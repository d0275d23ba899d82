"""Stock clients with an ordinary password-auth clouds.yaml against
nimbus alone: OSC, openstacksdk, novaclient and the nova CLI."""

import json
import subprocess

import pytest
import requests

from tests.functional.api.conftest import BIN, PASSWORD

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def test_openstack_cli_server_lifecycle(cloud):
    osc = cloud.openstack
    created = json.loads(osc("member", "server", "create", "--image",
                             "demo", "--flavor", "m1.tiny", "--wait",
                             "vm1", "-f", "json").stdout)
    assert created["status"] == "ACTIVE"
    rows = json.loads(osc("member", "server", "list", "-f", "json").stdout)
    assert [(r["Name"], r["Status"], r["Image"]) for r in rows] == \
        [("vm1", "ACTIVE", "demo")]
    shown = json.loads(osc("member", "server", "show", "vm1", "-f",
                           "json").stdout)
    # 2.47: the flavor embedded (the client shows it as an object).
    flavor = shown["flavor"]
    assert (flavor["original_name"], flavor["vcpus"], flavor["ram"],
            flavor["disk"]) == ("m1.tiny", 1, 512, 1)
    osc("member", "server", "stop", "vm1")
    osc("member", "server", "start", "vm1")
    osc("member", "server", "delete", "--wait", "vm1")
    assert json.loads(osc("member", "server", "list", "-f",
                          "json").stdout) == []
    assert osc("other", "server", "show", created["id"],
               check=False).returncode == 1


def test_openstack_cli_flavors_keypairs_images(cloud, tmp_path):
    osc = cloud.openstack
    flavors = json.loads(osc("reader", "flavor", "list", "-f",
                             "json").stdout)
    assert "m1.tiny" in {f["Name"] for f in flavors}
    osc("member", "keypair", "create", "k1")
    keys = json.loads(osc("member", "keypair", "list", "-f", "json").stdout)
    assert [k["Name"] for k in keys] == ["k1"]
    osc("member", "keypair", "delete", "k1")
    data = tmp_path / "disk.img"
    data.write_bytes(b"\1" * 10000)
    osc("member", "image", "create", "--file", str(data), "--disk-format",
        "raw", "mine")
    images = json.loads(osc("member", "image", "list", "-f", "json").stdout)
    assert {"demo", "mine"} <= {i["Name"] for i in images}
    mine = [i for i in images if i["Name"] == "mine"][0]
    assert mine["Status"] == "active"
    # The reader may look but not write.
    assert osc("reader", "keypair", "create", "k2",
               check=False).returncode == 1
    out = tmp_path / "back.img"
    osc("member", "image", "save", "--file", str(out), "mine")
    assert out.read_bytes() == data.read_bytes()
    osc("member", "image", "delete", "mine")


def test_sdk_with_password_auth(cloud):
    conn = cloud.sdk("member")
    server = conn.compute.create_server(name="s", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    server = conn.compute.wait_for_server(server, interval=0.1, wait=30)
    assert server.status == "ACTIVE"
    assert [s.name for s in conn.compute.servers()] == ["s"]
    assert conn.compute.find_server("s", ignore_missing=True) is not None
    assert cloud.sdk("other").compute.find_server(
        server.id, ignore_missing=True) is None
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.1, wait=30)


def test_novaclient_python_api(cloud):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client
    auth = v3.Password(auth_url=cloud.url + "/identity", username="member",
                       password=PASSWORD, project_name="demo",
                       user_domain_name="Default",
                       project_domain_name="Default")
    nova = client.Client("2.11", session=session.Session(auth=auth))
    server = nova.servers.create("n1", DEMO_IMAGE, "1")
    assert [s.name for s in nova.servers.list()] == ["n1"]
    assert {f.name for f in nova.flavors.list()} >= {"m1.tiny"}
    key = nova.keypairs.create("nk")
    assert key.private_key and key.type == "ssh"
    assert [k.name for k in nova.keypairs.list()] == ["nk"]
    nova.servers.delete(server)


def test_nova_cli(cloud):
    env = dict(cloud.env(), OS_AUTH_URL=cloud.url + "/identity",
               OS_USERNAME="admin", OS_PASSWORD=PASSWORD,
               OS_PROJECT_NAME="admin", OS_USER_DOMAIN_NAME="Default",
               OS_PROJECT_DOMAIN_NAME="Default")
    env.pop("OS_CLOUD")
    result = subprocess.run([f"{BIN}/nova", "flavor-list"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "m1.tiny" in result.stdout
    result = subprocess.run([f"{BIN}/nova", "service-list"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "nova-compute" in result.stdout


def test_tokens_revoke_and_reject_forgeries(cloud):
    token = cloud.token("member")
    url = cloud.url + "/v2.1/servers"
    assert requests.get(url, headers={"X-Auth-Token": token},
                        timeout=5).status_code == 200
    for bad in ("", "garbage", token[:-4] + "AAAA", "admin:admin"):
        resp = requests.get(url, headers={"X-Auth-Token": bad}, timeout=5)
        assert resp.status_code == 401
        assert resp.json()["unauthorized"]["code"] == 401
    admin = cloud.token("admin")
    resp = requests.delete(cloud.url + "/identity/v3/auth/tokens",
                           headers={"X-Auth-Token": admin,
                                    "X-Subject-Token": token}, timeout=5)
    assert resp.status_code == 204
    assert requests.get(url, headers={"X-Auth-Token": token},
                        timeout=5).status_code == 401


@pytest.mark.parametrize("body", [
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "member", "domain": {"name": "Default"},
                 "password": "wrong"}}}}},
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "nobody", "password": "x"}}}}},
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "member", "password": PASSWORD}}},
        "scope": {"project": {"name": "other",
                              "domain": {"name": "Default"}}}}},
])
def test_bad_credentials_are_401(cloud, body):
    resp = requests.post(cloud.url + "/identity/v3/auth/tokens", json=body,
                         timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == 401
