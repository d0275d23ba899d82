"""Compute resources beyond servers, driven through openstacksdk and
plain HTTP: key pairs, metadata, lock, reset-state, instance actions,
flavor extras, quotas, limits, services and microversion headers."""

import time

import pytest
import requests
from openstack import exceptions as sdk_exc

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def wait_status(conn, server, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = conn.compute.get_server(server.id)
        if server.status == status:
            return server
        time.sleep(0.05)
    raise AssertionError(f"{server.id} is {server.status}, not {status}")


def http(stack, method, path, token="demo:demo", version=None, **kw):
    headers = {"X-Auth-Token": token}
    if version:
        headers["OpenStack-API-Version"] = f"compute {version}"
    return requests.request(method, stack.url + "/v2.1" + path,
                            headers=headers, timeout=10, **kw)


def test_keypairs_generate_import_list_delete(stack):
    conn = stack.sdk()
    made = conn.compute.create_keypair(name="gen")
    assert made.private_key.startswith("-----BEGIN PRIVATE KEY")
    assert made.public_key.startswith("ssh-rsa ")
    imported = conn.compute.create_keypair(name="imp",
                                           public_key=made.public_key)
    assert imported.fingerprint == made.fingerprint
    assert sorted(k.name for k in conn.compute.keypairs()) == ["gen", "imp"]
    with pytest.raises(sdk_exc.ConflictException):
        conn.compute.create_keypair(name="gen")
    with pytest.raises(sdk_exc.BadRequestException):
        conn.compute.create_keypair(name="bad", public_key="ssh-rsa xx")
    assert stack.sdk("eve:demo").compute.find_keypair("gen") is None
    conn.compute.delete_keypair("gen")
    assert [k.name for k in conn.compute.keypairs()] == ["imp"]


def test_keypair_status_codes_follow_microversion(stack):
    body = {"keypair": {"name": "k21"}}
    assert http(stack, "POST", "/os-keypairs", json=body).status_code == 200
    assert http(stack, "DELETE", "/os-keypairs/k21").status_code == 202
    body = {"keypair": {"name": "k22", "type": "ssh"}}
    assert http(stack, "POST", "/os-keypairs", json=body,
                version="2.2").status_code == 201
    resp = http(stack, "GET", "/os-keypairs/k22", version="2.2")
    assert resp.json()["keypair"]["type"] == "ssh"
    assert http(stack, "DELETE", "/os-keypairs/k22",
                version="2.2").status_code == 204
    resp = http(stack, "POST", "/os-keypairs", json=body)
    assert resp.status_code == 400 and "badRequest" in resp.json()


def test_metadata_lock_reset_state_and_actions(stack):
    conn = stack.sdk()
    admin = stack.sdk("admin:admin")
    server = conn.compute.create_server(name="m", image_id=DEMO_IMAGE,
                                        flavor_id="1",
                                        metadata={"a": "1"}, networks="auto")
    server = wait_status(conn, server, "ACTIVE")
    conn.compute.set_server_metadata(server, b="2")
    assert conn.compute.get_server_metadata(server).metadata == \
        {"a": "1", "b": "2"}
    conn.compute.delete_server_metadata(server, ["a"])
    assert http(stack, "GET", f"/servers/{server.id}/metadata/a"
                ).status_code == 404
    admin.compute.lock_server(server)
    with pytest.raises(sdk_exc.ConflictException):
        conn.compute.stop_server(server)
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.compute.unlock_server(server)
    admin.compute.unlock_server(server)
    with pytest.raises(sdk_exc.ConflictException):
        conn.compute.start_server(server)  # already active
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.compute.reset_server_state(server, "error")
    admin.compute.reset_server_state(server, "error")
    assert conn.compute.get_server(server).status == "ERROR"
    actions = [a.action for a in conn.compute.server_actions(server)]
    assert actions[0] == "resetState" and actions[-1] == "create"
    resp = http(stack, "GET", f"/servers/{server.id}", version="2.9")
    assert resp.json()["server"]["locked"] is False
    assert resp.headers["OpenStack-API-Version"] == "compute 2.9"


def test_unknown_action_and_microversion_errors(stack):
    conn = stack.sdk()
    server = conn.compute.create_server(name="x", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    resp = http(stack, "POST", f"/servers/{server.id}/action",
                json={"frobnicate": None})
    assert resp.status_code == 404
    assert http(stack, "GET", "/servers", version="2.200").status_code \
        == 406
    resp = http(stack, "GET", "/servers", version="two")
    assert resp.status_code == 400 and "badRequest" in resp.json()
    resp = requests.get(stack.url + "/v2.1/servers", timeout=5, headers={
        "X-Auth-Token": "demo:demo",
        "X-OpenStack-Nova-API-Version": "2.5"})
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.5"
    assert "OpenStack-API-Version" in resp.headers["Vary"]


def test_quota_is_enforced_and_reported(stack):
    admin = stack.sdk("admin:admin")
    resp = http(stack, "PUT", "/os-quota-sets/demo", token="admin:admin",
                json={"quota_set": {"instances": 2}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["quota_set"]["instances"] == 2
    conn = stack.sdk()
    for name in ("q1", "q2"):
        conn.compute.create_server(name=name, image_id=DEMO_IMAGE,
                                   flavor_id="1", networks="auto")
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.compute.create_server(name="q3", image_id=DEMO_IMAGE,
                                   flavor_id="1", networks="auto")
    limits = conn.compute.get_limits().absolute
    assert limits.instances == 2 and limits.instances_used == 2
    detail = http(stack, "GET", "/os-quota-sets/demo/detail").json()
    assert detail["quota_set"]["instances"]["in_use"] == 2
    assert http(stack, "PUT", "/os-quota-sets/demo",
                json={"quota_set": {"instances": 9}}).status_code == 403
    assert http(stack, "GET", "/os-quota-sets/other").status_code == 403
    admin.compute.revert_quota_set("demo")
    assert http(stack, "GET", "/os-quota-sets/demo").json()[
        "quota_set"]["instances"] == 10


def test_flavor_extra_specs_and_access(stack):
    admin = stack.sdk("admin:admin")
    flavor = admin.compute.create_flavor(name="priv", ram=64, vcpus=1,
                                         disk=1, id="priv", is_public=False)
    admin.compute.create_flavor_extra_specs(flavor, {"hw:cpu": "2"})
    assert admin.compute.fetch_flavor_extra_specs(flavor).extra_specs == \
        {"hw:cpu": "2"}
    demo = stack.sdk()
    assert demo.compute.find_flavor("priv") is None
    admin.compute.flavor_add_tenant_access(flavor, "demo")
    assert [a["tenant_id"] for a in
            admin.compute.get_flavor_access(flavor)] == ["demo"]
    assert demo.compute.get_flavor("priv").name == "priv"
    with pytest.raises(sdk_exc.ForbiddenException):
        demo.compute.create_flavor_extra_specs(flavor, {"a": "b"})
    admin.compute.delete_flavor_extra_specs_property(flavor, "hw:cpu")
    assert admin.compute.fetch_flavor_extra_specs(flavor).extra_specs == {}


def test_service_disable_and_force_down(stack):
    admin = stack.sdk("admin:admin")
    body = {"host": "fake-1", "binary": "nimbus-compute",
            "disabled_reason": "maintenance"}
    resp = http(stack, "PUT", "/os-services/disable-log-reason",
                token="admin:admin", json=body)
    assert resp.json()["service"]["status"] == "disabled"
    states = {s.host: s.status for s in admin.compute.services()
              if s.binary == "nova-compute"}
    assert states["fake-1"] == "disabled"
    body = {"host": "fake-1", "binary": "nimbus-compute",
            "forced_down": True}
    assert http(stack, "PUT", "/os-services/force-down",
                token="admin:admin", json=body).status_code == 404
    resp = http(stack, "PUT", "/os-services/force-down",
                token="admin:admin", json=body, version="2.11")
    assert resp.json()["service"]["forced_down"] is True
    resp = http(stack, "GET", "/os-services", token="admin:admin",
                version="2.11")
    fake1 = [s for s in resp.json()["services"] if s["host"] == "fake-1"]
    assert fake1[0]["state"] == "down" and fake1[0]["forced_down"]
