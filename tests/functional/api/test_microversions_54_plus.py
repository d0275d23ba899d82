"""Compute API 2.54 and 2.57 through the in-process stack and stock
clients: the key pair (2.54) and user data (2.57) of a rebuild, as the
metadata service then serves them to the guest; ``personality`` refused
from 2.57; the file injection quotas and limits gone at 2.57.

Rebuild answers are checked against Nova's rebuild response schema of
each microversion (its api-ref: the base server body, ``key_name`` from
2.54, ``user_data`` from 2.57, nothing else)."""

import base64
import json
import random

import jsonschema
import pytest

from nimbus.core import context
from tests.functional.test_cli import nimbus
from tests.functional.test_metadata_service import fetch, network_api

_STR = {"type": "string"}
_OBJ = {"type": "object"}


def rebuild_schema(minor):
    """Nova's rebuild response at 2.``minor`` (2.47 to 2.74)."""
    props = {
        "id": _STR, "name": {"type": ["string", "null"]}, "status": _STR,
        "tenant_id": _STR, "user_id": _STR, "metadata": _OBJ,
        "hostId": _STR, "image": {"type": ["string", "object"]},
        "flavor": {"type": "object", "required": [
            "disk", "ephemeral", "original_name", "ram", "swap",
            "vcpus"]},
        "created": _STR, "updated": _STR, "addresses": _OBJ,
        "accessIPv4": _STR, "accessIPv6": _STR,
        "links": {"type": "array"}, "OS-DCF:diskConfig": _STR,
        "progress": {"type": ["number", "null"]},
        "locked": {"type": "boolean"},
        "description": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": _STR}}
    if minor >= 54:
        props["key_name"] = {"type": ["string", "null"]}
    if minor >= 57:
        props["user_data"] = {"type": ["string", "null"]}
    required = sorted(props)
    props.update(adminPass={"type": ["string", "null"]}, fault=_OBJ)
    return {"type": "object", "required": ["server"],
            "properties": {"server": {
                "type": "object", "properties": props,
                "required": required, "additionalProperties": False}}}


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def rebuild(cloud, sid, minor, who="member", **args):
    return cloud.sdk(who).compute.post(
        f"/servers/{sid}/action", headers=_v(minor),
        json={"rebuild": dict({"imageRef": _image(cloud)}, **args)})


def _image(cloud):
    return cloud.sdk("member").image.find_image("demo").id


def _show(cloud, sid, minor=57):
    return cloud.sdk("admin").compute.get(f"/servers/{sid}",
                                          headers=_v(minor)).json()["server"]


def _wait_active(cloud, sid):
    conn = cloud.sdk("admin")
    conn.compute.wait_for_server(conn.compute.get_server(sid),
                                 interval=0.1, wait=30)


@pytest.fixture
def guest(cloud):
    """A server of ``member`` on a 127/8 network (a socket bound to its
    address reads the metadata service as the guest), booted with key
    pair ``k1`` and user data; yields ``(id, its address, {key name:
    public key})``."""
    cidr = f"127.{random.randint(100, 250)}.{random.randint(0, 250)}.0/24"
    net = network_api(cloud.stack).create_network(
        context.get_admin_context(), "loop", cidr, shared=True)
    conn = cloud.sdk("member")
    keys = {name: conn.compute.create_keypair(name=name).public_key
            for name in ("k1", "k2")}
    created = conn.compute.create_server(
        name="guest", image_id=_image(cloud), flavor_id="1",
        key_name="k1", networks=[{"uuid": net["id"]}],
        user_data=base64.b64encode(b"#!/bin/sh\necho first\n").decode())
    server = conn.compute.wait_for_server(created, interval=0.1, wait=30)
    (entry,), = server.addresses.values()
    return server.id, entry["addr"], keys


def _metadata(cloud, address, path):
    return fetch(cloud.stack.conf.network.metadata_port, path, address)


def _keys_served(cloud, address):
    """(openssh-key of the EC2 tree or None, meta_data.json public_keys)."""
    status, body = _metadata(cloud, address,
                             "/latest/meta-data/public-keys/0/openssh-key")
    meta = json.loads(_metadata(cloud, address,
                                "/openstack/latest/meta_data.json")[1])
    return (body.decode().strip() if status == 200 else None,
            meta.get("public_keys", {}))


def test_rebuild_sets_and_unsets_the_key_pair_from_2_54(cloud, guest):
    sid, address, keys = guest
    assert _keys_served(cloud, address) == (keys["k1"].strip(),
                                            {"k1": keys["k1"]})
    # Below 2.54 the key is an unexpected property.
    resp = rebuild(cloud, sid, 53, key_name="k2")
    assert resp.status_code == 400, resp.text
    assert "key_name" in resp.json()["badRequest"]["message"]
    # openstackclient's --key-name (it asks for 2.54).
    cloud.openstack("member", "--os-compute-api-version", "2.54", "server",
                    "rebuild", "--image", "demo", "--key-name", "k2",
                    "--wait", sid)
    assert _show(cloud, sid)["key_name"] == "k2"
    assert _keys_served(cloud, address) == (keys["k2"].strip(),
                                            {"k2": keys["k2"]})
    # An unknown key pair, or another user's, is a 400 that changes
    # nothing.
    cloud.sdk("other").compute.create_keypair(name="theirs")
    for name in ("nope", "theirs"):
        resp = rebuild(cloud, sid, 54, key_name=name)
        assert resp.status_code == 400, resp.text
        assert "Invalid key_name provided" in \
            resp.json()["badRequest"]["message"]
    shown = _show(cloud, sid)
    assert (shown["status"], shown["key_name"]) == ("ACTIVE", "k2")
    # The answer at 2.53 and 2.54 is Nova's shape of each.
    resp = rebuild(cloud, sid, 53)
    assert resp.status_code == 202, resp.text
    jsonschema.validate(resp.json(), rebuild_schema(53))
    _wait_active(cloud, sid)
    resp = rebuild(cloud, sid, 54, key_name="k1")
    assert resp.status_code == 202, resp.text
    jsonschema.validate(resp.json(), rebuild_schema(54))
    assert resp.json()["server"]["key_name"] == "k1"
    _wait_active(cloud, sid)
    # --no-key-name sends a null: the guest gets no key any more.
    cloud.openstack("member", "--os-compute-api-version", "2.54", "server",
                    "rebuild", "--image", "demo", "--no-key-name", "--wait",
                    sid)
    assert _show(cloud, sid)["key_name"] is None
    assert _keys_served(cloud, address) == (None, {})
    # nimbus's own verb.
    out = nimbus(cloud.env("member"), "server", "rebuild", "--key-name",
                 "k1", "--wait", sid)
    assert out.returncode == 0, out.stderr
    assert _keys_served(cloud, address) == (keys["k1"].strip(),
                                            {"k1": keys["k1"]})


def test_rebuild_sets_and_unsets_user_data_from_2_57(cloud, guest,
                                                     tmp_path):
    sid, address, _keys = guest
    assert _metadata(cloud, address, "/latest/user-data") == \
        (200, b"#!/bin/sh\necho first\n")
    new = base64.b64encode(b"#cloud-config\n").decode()
    resp = rebuild(cloud, sid, 56, user_data=new)
    assert resp.status_code == 400, resp.text
    assert "user_data" in resp.json()["badRequest"]["message"]
    for bad in ("not base64!", "QQ=" * 30000):
        resp = rebuild(cloud, sid, 57, user_data=bad)
        assert resp.status_code == 400, resp.text
    # openstackclient's --user-data reads a file and encodes it.
    script = tmp_path / "second.sh"
    script.write_bytes(b"#!/bin/sh\necho second\n")
    cloud.openstack("member", "--os-compute-api-version", "2.57", "server",
                    "rebuild", "--image", "demo", "--user-data",
                    str(script), "--wait", sid)
    assert _metadata(cloud, address, "/latest/user-data") == \
        (200, b"#!/bin/sh\necho second\n")
    assert _metadata(cloud, address, "/openstack/latest/user_data") == \
        (200, b"#!/bin/sh\necho second\n")
    assert base64.b64decode(_show(cloud, sid)[
        "OS-EXT-SRV-ATTR:user_data"]) == b"#!/bin/sh\necho second\n"
    # The answer at 2.57 carries user_data; no user_data keeps it.
    resp = rebuild(cloud, sid, 57, name="renamed")
    assert resp.status_code == 202, resp.text
    jsonschema.validate(resp.json(), rebuild_schema(57))
    assert base64.b64decode(resp.json()["server"]["user_data"]) == \
        b"#!/bin/sh\necho second\n"
    _wait_active(cloud, sid)
    # --no-user-data sends a null: the guest gets none any more.
    cloud.openstack("member", "--os-compute-api-version", "2.57", "server",
                    "rebuild", "--image", "demo", "--no-user-data", "--wait",
                    sid)
    assert _metadata(cloud, address, "/latest/user-data")[0] == 404
    assert _show(cloud, sid)["OS-EXT-SRV-ATTR:user_data"] is None
    assert _keys_served(cloud, address)[0] is not None
    # nimbus's own verb.
    out = nimbus(cloud.env("member"), "server", "rebuild", "--user-data",
                 str(script), "--wait", sid)
    assert out.returncode == 0, out.stderr
    assert _metadata(cloud, address, "/latest/user-data") == \
        (200, b"#!/bin/sh\necho second\n")


def test_personality_is_refused_from_2_57(cloud, guest):
    sid, _address, _keys = guest
    files = [{"path": "/etc/motd", "contents": "aGk="}]
    resp = rebuild(cloud, sid, 56, personality=files)
    assert resp.status_code == 202, resp.text
    _wait_active(cloud, sid)
    resp = rebuild(cloud, sid, 57, personality=files)
    assert resp.status_code == 400, resp.text
    assert "personality" in resp.json()["badRequest"]["message"]
    resp = cloud.sdk("member").compute.post(
        "/servers", headers=_v(57), json={"server": {
            "name": "files", "imageRef": _image(cloud), "flavorRef": "1",
            "networks": "none", "personality": files}})
    assert resp.status_code == 400, resp.text
    assert "personality" in resp.json()["badRequest"]["message"]


FILES = {"injected_files", "injected_file_content_bytes",
         "injected_file_path_bytes"}


def test_file_injection_quotas_and_limits_are_gone_at_2_57(cloud):
    admin = cloud.sdk("admin")
    project = cloud.project_ids["demo"]
    paths = (f"/os-quota-sets/{project}", f"/os-quota-sets/{project}/detail",
             f"/os-quota-sets/{project}/defaults",
             "/os-quota-class-sets/default")
    for path in paths:
        old, new = (admin.compute.get(path, headers=_v(m)).json()
                    for m in (56, 57))
        old, new = (next(iter(body.values())) for body in (old, new))
        assert FILES <= set(old), path
        assert set(new) == set(old) - FILES, path
    for path, key in ((f"/os-quota-sets/{project}", "quota_set"),
                      ("/os-quota-class-sets/default", "quota_class_set")):
        resp = admin.compute.put(path, headers=_v(57),
                                 json={key: {"injected_files": 3}})
        assert resp.status_code == 400, resp.text
        assert "injected_files" in resp.json()["badRequest"]["message"]
        resp = admin.compute.put(path, headers=_v(57),
                                 json={key: {"instances": 20}})
        assert resp.status_code == 200, resp.text
        assert not FILES & set(resp.json()[key])
    resp = admin.compute.put(f"/os-quota-sets/{project}", headers=_v(56),
                             json={"quota_set": {"injected_files": 3}})
    assert resp.status_code == 200, resp.text
    # /limits through novaclient at each version (openstackclient's
    # "limits show" needs the volume service's limits too).
    from novaclient import client as nova_client
    session = cloud.sdk("member").session
    old, new = ({limit.name: limit.value for limit in nova_client.Client(
        version, session=session).limits.get().absolute}
        for version in ("2.56", "2.57"))
    assert {"maxPersonality", "maxPersonalitySize"} <= set(old)
    assert set(new) == set(old) - {"maxPersonality", "maxPersonalitySize"}
    assert new["maxTotalInstances"] == 20
