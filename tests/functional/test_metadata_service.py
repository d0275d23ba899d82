"""The metadata service over a real socket, as nimbus-all runs it.

Guests are servers of the embedded stack (fake hypervisor and network
plugin) on a network whose CIDR lies in 127/8: loopback accepts any
127/8 source address, so binding the client socket to a server's fixed
IP makes the TCP peer address the metadata service sees exactly what a
guest's DNATed request would carry.
"""

import base64
import http.client
import json
import random
import time

import pytest

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def network_api(stack):
    """The network service API over the stack's database."""
    from nimbus.core.db import api as db_api
    from nimbus.core.network import api as network_api_module
    return network_api_module.NetworkAPI(stack.conf, db_api)


class SourcedConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket is bound to ``source``."""

    def __init__(self, host, port, source):
        super().__init__(host, port, timeout=10,
                         source_address=(source, 0))


def fetch(port, path, source, headers=None, method="GET", body=None):
    conn = SourcedConnection("127.0.0.1", port, source)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture
def guests(stack):
    """Two servers (one with a key and user data) on a 127/8 network;
    yields ``(port, {name: server view})``."""
    from nimbus.core import context
    ctx = context.get_admin_context()
    cidr = f"127.{random.randint(100, 250)}.{random.randint(0, 250)}.0/24"
    net = network_api(stack).create_network(ctx, "loop", cidr,
                                                shared=True)
    conn = stack.sdk()
    key = conn.compute.create_keypair(name="k1")
    user_data = base64.b64encode(b"#!/bin/sh\necho from-user-data\n")
    first = conn.compute.create_server(
        name="meta-one", image_id=DEMO_IMAGE, flavor_id="1", key_name="k1",
        user_data=user_data.decode(), networks=[{"uuid": net["id"]}])
    second = conn.compute.create_server(
        name="meta-two", image_id=DEMO_IMAGE, flavor_id="1",
        networks=[{"uuid": net["id"]}])
    views = {}
    for server in (first, second):
        server = conn.compute.wait_for_server(server, interval=0.05,
                                              wait=20)
        views[server.name] = server
    views["key"] = key.public_key
    return stack.conf.network.metadata_port, views


def _fixed_ip(server):
    (entry,), = server.addresses.values()
    return entry["addr"]


def test_each_guest_reads_its_own_metadata(guests):
    port, views = guests
    one, two = views["meta-one"], views["meta-two"]
    ip_one, ip_two = _fixed_ip(one), _fixed_ip(two)
    assert ip_one.startswith("127.") and ip_one != ip_two

    status, body = fetch(port, "/latest/meta-data/instance-id", ip_one)
    assert status == 200
    id_one = body.decode()
    status, body = fetch(port, "/latest/meta-data/instance-id", ip_two)
    id_two = body.decode()
    assert id_one.startswith("i-") and id_two.startswith("i-")
    assert id_one != id_two

    assert fetch(port, "/latest/meta-data/local-ipv4", ip_one)[1] == \
        ip_one.encode()
    assert fetch(port, "/latest/user-data", ip_one) == (
        200, b"#!/bin/sh\necho from-user-data\n")
    assert fetch(port, "/latest/user-data", ip_two)[0] == 404
    assert fetch(port, "/latest/meta-data/public-keys/0/openssh-key",
                 ip_one)[1] == views["key"].strip().encode() + b"\n"
    assert fetch(port, "/latest/meta-data/public-keys/0/openssh-key",
                 ip_two)[0] == 404

    status, body = fetch(port, "/openstack/latest/meta_data.json", ip_two)
    assert status == 200
    meta = json.loads(body)
    assert meta["uuid"] == two.id and meta["name"] == "meta-two"
    network = json.loads(fetch(port, "/openstack/latest/network_data.json",
                               ip_one)[1])
    assert [n["ip_address"] for n in network["networks"]] == [ip_one]


def test_unknown_caller_and_forged_headers(guests):
    port, views = guests
    ip_one = _fixed_ip(views["meta-one"])
    stranger = "127.0.0.1"  # no server's address
    forged = {"X-Forwarded-For": ip_one,
              "X-Instance-ID": views["meta-one"].id}
    for path in ("/latest/meta-data/instance-id", "/latest/user-data",
                 "/openstack/latest/meta_data.json"):
        assert fetch(port, path, stranger)[0] == 404
        assert fetch(port, path, stranger, forged)[0] == 404
    # the second guest asking with the first's headers gets its own data
    ip_two = _fixed_ip(views["meta-two"])
    body = fetch(port, "/openstack/latest/meta_data.json", ip_two, forged)[1]
    assert json.loads(body)["uuid"] == views["meta-two"].id


def test_deleted_server_gets_nothing(stack, guests):
    port, views = guests
    ip_two = _fixed_ip(views["meta-two"])
    conn = stack.sdk()
    conn.compute.delete_server(views["meta-two"])
    conn.compute.wait_for_delete(views["meta-two"], interval=0.05, wait=20)
    deadline = time.monotonic() + 10
    while fetch(port, "/latest/meta-data/instance-id", ip_two)[0] != 404:
        assert time.monotonic() < deadline
        time.sleep(0.1)



def test_guest_posts_its_password_once(stack, guests):
    port, views = guests
    one, two = views["meta-one"], views["meta-two"]
    ip_one = _fixed_ip(one)
    assert b"password" in fetch(port, "/openstack/latest/", ip_one)[1]
    secret = b"c2VhbGVkIGJ5IHRoZSBndWVzdA=="
    assert fetch(port, "/openstack/latest/password", ip_one,
                 method="POST", body=secret)[0] == 200
    assert fetch(port, "/openstack/latest/password", ip_one) == (200, secret)
    assert fetch(port, "/openstack/2013-04-04/password", ip_one,
                 method="POST", body=b"again")[0] == 409
    assert fetch(port, "/openstack/2012-08-10/password", ip_one)[0] == 404
    assert fetch(port, "/openstack/latest/password", _fixed_ip(two),
                 method="POST", body=b"x" * 257)[0] == 400
    conn = stack.sdk()
    assert conn.compute.get_server_password(one.id) == secret.decode()
    assert conn.compute.get_server_password(two.id) == ""
    conn.compute.clear_server_password(one.id)
    assert conn.compute.get_server_password(one.id) == ""


def test_meta_data_json_lists_tagged_devices(stack, guests):
    """Nova's ``devices``: a NIC tagged at create (2.42) and a volume
    tagged at attach (2.49), each once, with its MAC or volume id;
    untagged NICs and disks are not listed; not before 2016-06-30."""
    port, views = guests
    conn = stack.sdk()
    net_id = conn.compute.get(
        f"/servers/{views['meta-two'].id}/os-interface").json()[
        "interfaceAttachments"][0]["net_id"]
    resp = conn.compute.post("/servers", microversion="2.42", json={
        "server": {"name": "meta-tagged", "imageRef": DEMO_IMAGE,
                   "flavorRef": "1",
                   "networks": [{"uuid": net_id, "tag": "eth-data"}]}})
    assert resp.status_code == 202, resp.text
    server = conn.compute.wait_for_server(
        conn.compute.get_server(resp.json()["server"]["id"]),
        interval=0.05, wait=20)
    (entry,), = server.addresses.values()
    volume = conn.block_storage.create_volume(size=1, name="meta-vol")
    conn.block_storage.wait_for_status(volume, "available", interval=0.05,
                                       wait=20)
    resp = conn.compute.post(
        f"/servers/{server.id}/os-volume_attachments", microversion="2.49",
        json={"volumeAttachment": {"volumeId": volume.id, "tag": "logs"}})
    assert resp.status_code == 200, resp.text
    conn.block_storage.wait_for_status(volume, "in-use", interval=0.05,
                                       wait=20)
    meta = json.loads(fetch(port, "/openstack/latest/meta_data.json",
                            entry["addr"])[1])
    assert meta["devices"] == [
        {"type": "disk", "serial": volume.id, "tags": ["logs"],
         "bus": "none", "address": "none"},
        {"type": "nic", "mac": entry["OS-EXT-IPS-MAC:mac_addr"],
         "tags": ["eth-data"], "bus": "none", "address": "none",
         "vf_trusted": False}]
    old = json.loads(fetch(port, "/openstack/2015-10-15/meta_data.json",
                           entry["addr"])[1])
    assert "devices" not in old
    untagged = json.loads(fetch(port, "/openstack/latest/meta_data.json",
                                _fixed_ip(views["meta-one"]))[1])
    assert untagged["devices"] == []
