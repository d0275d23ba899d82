"""Stock clients on the compute API's networking, with no network
endpoint in the catalog: ``openstack server create --nic net-id=NAME
--security-group NAME`` falls back to ``os-networks`` and
``os-security-groups``, ``server add/remove security group`` are the
compute actions, and openstacksdk reads the addresses and interfaces."""

import json

import pytest
import requests


@pytest.fixture
def compute_only(nimbus_conf):
    """Serve no network dialect: the catalog then has no network
    endpoint, and OSC uses the compute API's proxies."""
    nimbus_conf.set_override("enabled_dialects",
                             ["openstack", "identity", "image"], "api")


def _group(cloud, name):
    resp = requests.post(
        cloud.url + "/v2.1/os-security-groups",
        json={"security_group": {"name": name, "description": name}},
        headers={"X-Auth-Token": cloud.token("member")}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["security_group"]


def _show(cloud, name):
    return json.loads(cloud.openstack("member", "server", "show", name,
                                      "-f", "json").stdout)


def test_osc_server_networking_through_compute_proxies(compute_only,
                                                       cloud):
    osc = cloud.openstack
    _group(cloud, "web")
    created = json.loads(osc(
        "member", "server", "create", "--image", "demo", "--flavor",
        "m1.tiny", "--nic", "net-id=private", "--security-group", "web",
        "--wait", "vm1", "-f", "json").stdout)
    assert created["status"] == "ACTIVE"
    shown = _show(cloud, "vm1")
    assert "private" in json.dumps(shown["addresses"])
    assert "10.0.0." in json.dumps(shown["addresses"])
    assert "web" in json.dumps(shown["security_groups"])
    assert "default" not in json.dumps(shown["security_groups"])

    osc("member", "server", "add", "security", "group", "vm1", "default")
    shown = _show(cloud, "vm1")
    assert "default" in json.dumps(shown["security_groups"])
    osc("member", "server", "remove", "security", "group", "vm1", "web")
    shown = _show(cloud, "vm1")
    assert "web" not in json.dumps(shown["security_groups"])

    listed = json.loads(osc("member", "server", "list", "-f",
                            "json").stdout)
    assert "private=10.0.0." in json.dumps(listed[0]["Networks"]) or \
        "10.0.0." in json.dumps(listed[0]["Networks"])

    # an unknown network name: the client reports it, nothing is created
    result = osc("member", "server", "create", "--image", "demo",
                 "--flavor", "m1.tiny", "--nic", "net-id=nowhere", "vm2",
                 check=False)
    assert result.returncode != 0
    names = [s["Name"] for s in json.loads(osc(
        "member", "server", "list", "-f", "json").stdout)]
    assert names == ["vm1"]


def test_sdk_addresses_and_interfaces(compute_only, cloud):
    conn = cloud.sdk("member")
    image = conn.image.find_image("demo")
    server = conn.compute.create_server(name="sdk-vm", image_id=image.id,
                                        flavor_id="1", networks="auto")
    server = conn.compute.wait_for_server(server, interval=0.1, wait=30)
    (label, (entry,)), = server.addresses.items()
    assert label == "private"
    assert entry["OS-EXT-IPS:type"] == "fixed"
    interfaces = list(conn.compute.server_interfaces(server))
    assert [i.mac_addr for i in interfaces] == \
        [entry["OS-EXT-IPS-MAC:mac_addr"]]
    assert interfaces[0].fixed_ips[0]["ip_address"] == entry["addr"]
