"""The metadata app: the caller's peer address alone names the instance,
and the EC2 and OpenStack trees have Nova's shapes."""

import base64
import types

import pytest
import webob

from nimbus.api.metadata import app as metadata_app
from nimbus.api.metadata import content
from nimbus.core import exception
from nimbus.core.compute import hostnames

UUID_A = "8a4c2d26-6b3b-4a0e-9f43-3d1a2e2a0001"
UUID_B = "8a4c2d26-6b3b-4a0e-9f43-3d1a2e2a0002"


def _instance(uuid, ident, name, **kw):
    values = dict(
        id=ident, uuid=uuid, display_name=name, project_id="p1",
        key_name=None, key_data=None, user_data=None,
        availability_zone=None, reservation_id="r-1", launch_index=0,
        metadata={}, flavor_name="m1.tiny",
        image_ref="a0d1c0de-0000-4000-8000-000000000001")
    values.update(kw)
    return types.SimpleNamespace(**values)


def _vif(port, mac, address, floating=()):
    return {"id": port, "mac": mac, "fixed_ips": [address],
            "floating_ips": {address: list(floating)} if floating else {},
            "network": {"id": "net-1", "name": "private",
                        "cidr": "10.0.0.0/24", "gateway": "10.0.0.1",
                        "dns_servers": ["10.0.0.1"], "mtu": 1500,
                        "vlan": None}}


class _Network:
    def __init__(self, by_ip, vifs, groups):
        self.by_ip, self.vifs, self.groups = by_ip, vifs, groups
        self.asked = []

    def get_instance_by_fixed_ip(self, ctx, address):
        self.asked.append(address)
        return self.by_ip.get(address)

    def get_instance_nw_info(self, ctx, uuid):
        return self.vifs[uuid]

    def list_instance_security_groups(self, ctx, uuid):
        return [{"name": n} for n in self.groups.get(uuid, ())]

    def list_ports(self, ctx, filters):
        return [{"mac_address": vif["mac"], "tag": vif.get("tag")}
                for vif in self.vifs[filters["device_id"]]]


class _Compute:
    def __init__(self, instances):
        self.instances = instances

    def get(self, ctx, uuid):
        if uuid not in self.instances:
            raise exception.InstanceNotFound(instance_id=uuid)
        return self.instances[uuid]

    def volume_attachments(self, ctx, uuid):
        return getattr(self.instances[uuid], "attachments", [])


@pytest.fixture
def app():
    a = _instance(UUID_A, 1, "Web 1", key_name="k1",
                  key_data="ssh-rsa AAAA k1", user_data=base64.b64encode(
                      b"#!/bin/sh\necho hi\n").decode(),
                  metadata={"role": "web"})
    b = _instance(UUID_B, 0x2a, "db")
    network = _Network(
        {"10.0.0.3": UUID_A, "10.0.0.4": UUID_B, "10.0.0.9": UUID_B + "x"},
        {UUID_A: [_vif("port-a", "fa:16:3e:00:00:03", "10.0.0.3",
                       ["172.24.4.10"])],
         UUID_B: [_vif("port-b", "fa:16:3e:00:00:04", "10.0.0.4")]},
        {UUID_A: ["default", "web"]})
    services = types.SimpleNamespace(network=network,
                                     compute=_Compute({UUID_A: a,
                                                       UUID_B: b}))
    return metadata_app.MetadataApp(services)


def get(app, path, peer="10.0.0.3", headers=None, method="GET"):
    request = webob.Request.blank(path, method=method,
                                  headers=headers or {})
    request.environ["REMOTE_ADDR"] = peer
    return request.get_response(app)


def test_ec2_instance_data_of_the_caller(app):
    assert get(app, "/latest/meta-data/instance-id").text == "i-00000001"
    assert get(app, "/latest/meta-data/instance-id",
               peer="10.0.0.4").text == "i-0000002a"
    assert get(app, "/latest/meta-data/local-ipv4").text == "10.0.0.3"
    assert get(app, "/latest/meta-data/public-ipv4").text == "172.24.4.10"
    assert get(app, "/latest/meta-data/public-ipv4",
               peer="10.0.0.4").text == ""
    assert get(app, "/latest/meta-data/hostname").text == \
        "web-1.novalocal"
    assert get(app, "/latest/meta-data/security-groups").text == \
        "default\nweb"
    assert get(app, "/2009-04-04/meta-data/placement/"
                    "availability-zone").text == "nova"


def test_ec2_listings(app):
    listing = get(app, "/latest/meta-data/").text.split("\n")
    for key in ("instance-id", "local-ipv4", "public-ipv4", "hostname",
                "public-keys/", "placement/", "security-groups"):
        assert key in listing
    assert get(app, "/latest/").text == "meta-data/\nuser-data"
    assert get(app, "/latest/", peer="10.0.0.4").text == "meta-data/"
    root = get(app, "/").text.split("\n")
    assert root[0] == "1.0" and root[-1] == "latest"


def test_public_keys(app):
    assert get(app, "/latest/meta-data/public-keys").text == "0=k1"
    assert get(app, "/latest/meta-data/public-keys/0/").text == \
        "openssh-key"
    assert get(app, "/latest/meta-data/public-keys/0/openssh-key").text \
        == "ssh-rsa AAAA k1\n"
    # no key pair: no public-keys at all
    assert get(app, "/latest/meta-data/public-keys",
               peer="10.0.0.4").status_int == 404
    assert "public-keys/" not in get(app, "/latest/meta-data/",
                                     peer="10.0.0.4").text


def test_user_data_is_decoded_and_absent_is_404(app):
    resp = get(app, "/latest/user-data")
    assert resp.status_int == 200
    assert resp.body == b"#!/bin/sh\necho hi\n"
    assert get(app, "/openstack/latest/user_data").body == \
        b"#!/bin/sh\necho hi\n"
    assert get(app, "/latest/user-data", peer="10.0.0.4").status_int == 404
    assert get(app, "/openstack/latest/user_data",
               peer="10.0.0.4").status_int == 404


def test_openstack_meta_data_json(app):
    resp = get(app, "/openstack/latest/meta_data.json")
    assert resp.content_type == "application/json"
    body = resp.json
    assert body["uuid"] == UUID_A
    # Nova's: the hostname with the DHCP domain, as in the EC2 tree
    assert body["hostname"] == "web-1.novalocal"
    assert body["meta"] == {"role": "web"}
    assert body["public_keys"] == {"k1": "ssh-rsa AAAA k1"}
    assert body["keys"] == [{"name": "k1", "type": "ssh",
                             "data": "ssh-rsa AAAA k1"}]
    assert get(app, "/openstack/2012-08-10/meta_data.json",
               peer="10.0.0.4").json["uuid"] == UUID_B


def test_openstack_network_data_json(app):
    body = get(app, "/openstack/latest/network_data.json").json
    link, = body["links"]
    assert link["vif_id"] == "port-a"
    assert link["ethernet_mac_address"] == "fa:16:3e:00:00:03"
    assert link["mtu"] == 1500
    net, = body["networks"]
    assert net["ip_address"] == "10.0.0.3"
    assert net["netmask"] == "255.255.255.0"
    assert net["link"] == link["id"]
    assert net["routes"] == [{"network": "0.0.0.0", "netmask": "0.0.0.0",
                              "gateway": "10.0.0.1"}]
    assert body["services"] == [{"type": "dns", "address": "10.0.0.1"}]
    # network_data.json came with 2015-10-15
    assert get(app, "/openstack/2013-04-04/network_data.json").status_int \
        == 404
    assert get(app, "/openstack/2015-10-15/network_data.json").status_int \
        == 200


def test_openstack_listings(app):
    versions = get(app, "/openstack").text.split("\n")
    assert versions[0] == "2012-08-10" and versions[-1] == "latest"
    files = get(app, "/openstack/latest/").text.split("\n")
    assert {"meta_data.json", "network_data.json", "user_data"} <= \
        set(files)
    assert "user_data" not in get(app, "/openstack/latest",
                                  peer="10.0.0.4").text


def test_unknown_caller_gets_404_and_headers_are_ignored(app):
    for path in ("/latest/meta-data/instance-id",
                 "/openstack/latest/meta_data.json", "/latest/user-data"):
        assert get(app, path, peer="10.9.9.9").status_int == 404
        # A header naming another address or instance changes nothing.
        resp = get(app, path, peer="10.9.9.9", headers={
            "X-Forwarded-For": "10.0.0.3", "X-Instance-ID": UUID_A,
            "X-Real-IP": "10.0.0.3"})
        assert resp.status_int == 404
    resp = get(app, "/latest/meta-data/instance-id", peer="10.0.0.4",
               headers={"X-Forwarded-For": "10.0.0.3",
                        "X-Instance-ID": UUID_A})
    assert resp.text == "i-0000002a"
    assert get(app, "/latest/meta-data/instance-id",
               peer="").status_int == 404


def test_address_of_a_deleted_instance_is_404(app):
    assert get(app, "/latest/meta-data/instance-id",
               peer="10.0.0.9").status_int == 404


def test_unknown_paths_and_methods(app):
    for path in ("/latest/meta-data/nope", "/latest/meta-data/instance-id/x",
                 "/1999-01-01/meta-data/", "/openstack/2099-01-01/",
                 "/openstack/latest/nope.json", "/latest/nope"):
        assert get(app, path).status_int == 404, path
    resp = get(app, "/latest/meta-data/", method="POST")
    assert resp.status_int == 405
    assert resp.headers["Allow"] == "GET, HEAD"


def test_a_failure_is_a_plain_500(app):
    def broken(ctx, address):
        raise RuntimeError("database gone")
    app.services.network.get_instance_by_fixed_ip = broken
    resp = get(app, "/latest/meta-data/instance-id")
    assert resp.status_int == 500
    assert "database gone" not in resp.text


def test_user_data_not_base64_is_served_as_is():
    assert content.decode_user_data("not base64!") == b"not base64!"
    assert content.decode_user_data(None) is None
    assert hostnames.from_display_name("A b_c", "u") == "a-b-c"


def test_meta_data_json_devices_are_the_tagged_ones(app):
    """Nova's ``devices`` (from 2016-06-30): tagged disks (the volume id
    as serial) in device order, then tagged NICs (``vf_trusted`` from
    2018-08-27); untagged ones are left out; bus and address ``none``
    (nimbus does not know where the hypervisor put them)."""
    services = app.services
    services.network.vifs[UUID_A].append(dict(
        _vif("port-c", "fa:16:3e:00:00:05", "10.0.0.5"), tag="nic-b"))
    services.network.vifs[UUID_A][0]["tag"] = "nic-a"
    services.compute.instances[UUID_A].attachments = [
        {"volume_id": "vol-2", "device": "/dev/vdc", "tag": "data"},
        {"volume_id": "vol-3", "device": "/dev/vdd", "tag": None},
        {"volume_id": "vol-1", "device": "/dev/vdb", "tag": "logs"}]
    disks = [{"type": "disk", "serial": "vol-1", "tags": ["logs"],
              "bus": "none", "address": "none"},
             {"type": "disk", "serial": "vol-2", "tags": ["data"],
              "bus": "none", "address": "none"}]
    nics = [{"type": "nic", "mac": "fa:16:3e:00:00:03", "tags": ["nic-a"],
             "bus": "none", "address": "none"},
            {"type": "nic", "mac": "fa:16:3e:00:00:05", "tags": ["nic-b"],
             "bus": "none", "address": "none"}]
    trusted = [dict(n, vf_trusted=False) for n in nics]
    for version, devices in (("2016-06-30", disks + nics),
                             ("2017-02-22", disks + nics),
                             ("2018-08-27", disks + trusted),
                             ("latest", disks + trusted)):
        body = get(app, f"/openstack/{version}/meta_data.json").json
        assert body["devices"] == devices, version
    for version in ("2012-08-10", "2015-10-15"):
        body = get(app, f"/openstack/{version}/meta_data.json").json
        assert "devices" not in body, version
    # A server without tagged devices has an empty list.
    assert get(app, "/openstack/latest/meta_data.json",
               peer="10.0.0.4").json["devices"] == []
