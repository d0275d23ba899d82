"""Compute API 2.90 and 2.94 through the in-process stack (fake plugins)
and the stock clients.

2.90: ``hostname`` at create, update and rebuild (a DNS label, Nova's
pattern, 2-63 characters; not for a multi-create) replaces the one made
from the display name; ``OS-EXT-SRV-ATTR:hostname`` is in show, detail,
update and rebuild bodies for every caller. 2.94: the hostname may be an
FQDN (1-255 characters, dots and underscores). What the metadata
service and DHCP hand the guest follows the hostname. Both are above the
advertised run, so the tests advertise them."""

import json
import random
import time

import pytest

from nimbus.api import http
from nimbus.api.openstack import responses
from tests.functional.api.test_volume_stock_clients import osc_json
from tests.functional.test_metadata_service import fetch, network_api

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
KEY = "OS-EXT-SRV-ATTR:hostname"
MULTI = "Unable to allocate a single hostname to multiple instances"


@pytest.fixture
def cloud(cloud, advertise):
    advertise(94)
    return cloud


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _create(cloud, minor, who="member", **server):
    body = {"server": dict({"name": "hn", "flavorRef": "1",
                            "imageRef": IMAGE, "networks": "none"},
                           **server)}
    return cloud.sdk(who).compute.post("/servers", json=body,
                                       headers=_v(minor))


def _show(cloud, sid, minor, who="member"):
    resp = cloud.sdk(who).compute.get(f"/servers/{sid}", headers=_v(minor))
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _active(cloud, sid, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        shown = _show(cloud, sid, 90, who="admin")
        if shown["status"] in ("ACTIVE", "ERROR"):
            assert shown["status"] == "ACTIVE", shown.get("fault")
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def _put(cloud, sid, minor, who="member", **server):
    return cloud.sdk(who).compute.put(f"/servers/{sid}",
                                      json={"server": server},
                                      headers=_v(minor))


def _rebuild(cloud, sid, minor, who="member", **args):
    return cloud.sdk(who).compute.post(
        f"/servers/{sid}/action",
        json={"rebuild": dict({"imageRef": IMAGE}, **args)},
        headers=_v(minor))


def _fits(server, minor=90, route=("GET", "/servers/{server_id}")):
    """``server`` against Nova's body at 2.``minor`` for ``route`` (the
    running API checks its answers too: the suite runs with ``[api]
    response_validation = error``; this says the schema knows 2.90)."""
    schema = responses.schema(*route, (2, minor))
    inner = schema["properties"]
    inner = inner["server"] if "server" in inner else \
        inner["servers"]["items"]
    assert "OS-EXT-SRV-ATTR:hostname" in inner["required"]
    http.check(server, inner)
    return server


def _bad(resp, *words):
    assert resp.status_code == 400, resp.text
    message = resp.json()["badRequest"]["message"]
    assert all(w in message for w in words), message
    return message


def _server_count(cloud):
    return len(cloud.sdk("admin").compute.get(
        "/servers?all_tenants=1").json()["servers"])


def test_create_takes_a_hostname_from_2_90(cloud):
    before = _server_count(cloud)
    _bad(_create(cloud, 89, hostname="web-01"), "hostname")
    for bad in ("a", "-web", "web-", "web_01", "web.example.com",
                "x" * 64, "", 5):
        _bad(_create(cloud, 90, hostname=bad), "hostname")
    _bad(_create(cloud, 94, hostname="a b"), "hostname")
    _bad(_create(cloud, 94, hostname="x" * 256), "hostname")
    assert _create(cloud, 90, hostname="web-01", max_count=2
                   ).json()["badRequest"]["message"] == MULTI
    assert _create(cloud, 90, hostname="web-01", min_count=2
                   ).status_code == 400
    assert _server_count(cloud) == before

    given = _create(cloud, 90, hostname="Web-01").json()["server"]["id"]
    made = _create(cloud, 90, name="My Server_1.b").json()["server"]["id"]
    fqdn = _create(cloud, 94, hostname="db_1.example.com"
                   ).json()["server"]["id"]
    assert _create(cloud, 90, name="Many", max_count=2).status_code == 202
    for sid in (given, made, fqdn):
        _active(cloud, sid)
    # Every caller sees it from 2.90; below, only by the extended
    # attributes policy (an admin).
    assert _fits(_show(cloud, given, 90))[KEY] == "Web-01"
    assert KEY not in _show(cloud, given, 89)
    assert _show(cloud, given, 89, who="admin")[KEY] == "Web-01"
    assert _show(cloud, made, 90)[KEY] == "my-server-1-b"
    assert _fits(_show(cloud, fqdn, 94), 94)[KEY] == "db_1.example.com"
    detail = cloud.sdk("member").compute.get(
        "/servers/detail?name=^Many", headers=_v(90)).json()
    assert sorted(_fits(s, route=("GET", "/servers/detail"))[KEY]
                  for s in detail["servers"]) == \
        ["many-1", "many-2"]
    listed = {s["id"]: s for s in cloud.sdk("member").compute.get(
        "/servers/detail", headers=_v(90)).json()["servers"]}
    assert listed[given][KEY] == "Web-01"
    assert all(KEY not in s for s in cloud.sdk("member").compute.get(
        "/servers/detail", headers=_v(89)).json()["servers"])

    # The hostname filter (a regex): everyone's from 2.90, an admin's
    # always; below 2.90 a member's is ignored (Nova drops it).
    def ids(who, minor, query):
        resp = cloud.sdk(who).compute.get(f"/servers?{query}",
                                          headers=_v(minor))
        assert resp.status_code == 200, resp.text
        return {s["id"] for s in resp.json()["servers"]}
    assert ids("member", 90, "hostname=^Web-0") == {given}
    assert ids("member", 94, "hostname=example") == {fqdn}
    assert len(ids("member", 89, "hostname=^Web-0")) > 1
    assert ids("admin", 2, "all_tenants=1&hostname=^my-server") == {made}
    assert cloud.sdk("member").compute.get(
        "/servers?hostname=(", headers=_v(90)).status_code == 400


def test_update_and_rebuild_take_a_hostname_from_2_90(cloud):
    sid = _create(cloud, 90, name="upd").json()["server"]["id"]
    _active(cloud, sid)
    _bad(_put(cloud, sid, 89, hostname="web-02"), "hostname")
    for bad in ("a", "web.example.com", "x" * 64, None):
        _bad(_put(cloud, sid, 90, hostname=bad), "hostname")
    _bad(_put(cloud, sid, 94, hostname="x" * 256), "hostname")
    resp = _put(cloud, sid, 90, hostname="web-02")
    assert resp.status_code == 200, resp.text
    assert _fits(resp.json()["server"], route=(
        "PUT", "/servers/{server_id}"))[KEY] == "web-02"
    # A new name leaves the hostname as it is.
    resp = _put(cloud, sid, 90, name="renamed")
    assert resp.json()["server"][KEY] == "web-02"
    resp = _put(cloud, sid, 94, hostname="web-02.example.org")
    assert resp.status_code == 200, resp.text
    assert _fits(resp.json()["server"], 94, route=(
        "PUT", "/servers/{server_id}"))[KEY] == "web-02.example.org"
    # Another project's server is not found, hostname or not.
    assert _put(cloud, sid, 90, who="other",
                hostname="x1").status_code == 404

    _bad(_rebuild(cloud, sid, 89, hostname="re-01"), "hostname")
    for bad in ("a", "re.example.com", "x" * 64, None):
        _bad(_rebuild(cloud, sid, 90, hostname=bad), "hostname")
    resp = _rebuild(cloud, sid, 90, hostname="re-01")
    assert resp.status_code == 202, resp.text
    body = resp.json()["server"]
    assert body[KEY] == "re-01"
    body.pop("adminPass")
    body.pop("user_data")   # rebuild's own (2.57), beside the show's
    _fits(body)
    _active(cloud, sid)
    resp = _rebuild(cloud, sid, 94, hostname="re-01.example.net")
    assert resp.status_code == 202, resp.text
    _active(cloud, sid)
    assert _show(cloud, sid, 94)[KEY] == "re-01.example.net"
    # A rebuild without one keeps it.
    assert _rebuild(cloud, sid, 94).status_code == 202
    _active(cloud, sid)
    assert _show(cloud, sid, 94)[KEY] == "re-01.example.net"


def _served_hostname(cloud, network_id, port_id):
    (svc,) = [s for s in cloud.stack.started
              if getattr(s, "binary", None) == "nimbus-network"]
    deadline = time.monotonic() + 10
    while network_id not in svc.manager.driver.networks:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return svc.manager.driver.networks[network_id][1][port_id].hostname


def _wait_served(cloud, network_id, port_id, wanted):
    deadline = time.monotonic() + 10
    while _served_hostname(cloud, network_id, port_id) != wanted:
        assert time.monotonic() < deadline, wanted
        time.sleep(0.1)


def test_metadata_and_dhcp_follow_the_hostname(cloud):
    from nimbus.core import context
    from nimbus.plugins.networks.linux import gateway
    ctx = context.get_admin_context()
    cidr = f"127.{random.randint(100, 250)}.{random.randint(0, 250)}.0/24"
    net = network_api(cloud.stack).create_network(ctx, "hn-loop", cidr,
                                                  shared=True)
    resp = _create(cloud, 90, name="Meta Guest", networks=[
        {"uuid": net["id"]}])
    sid = resp.json()["server"]["id"]
    shown = _active(cloud, sid)
    (entry,), = shown["addresses"].values()
    address = entry["addr"]
    port = cloud.stack.conf.network.metadata_port
    ports = network_api(cloud.stack).list_ports(
        ctx, {"device_id": sid})
    (port_id,) = [p["id"] for p in ports]

    def metadata():
        ec2 = {path: fetch(port, f"/latest/meta-data/{path}", address)
               for path in ("hostname", "local-hostname",
                            "public-hostname")}
        assert all(status == 200 for status, _ in ec2.values()), ec2
        status, body = fetch(port, "/openstack/latest/meta_data.json",
                             address)
        assert status == 200
        names = {value.decode() for _, value in ec2.values()}
        assert len(names) == 1, names
        return names.pop(), json.loads(body)["hostname"]

    # Made from the name, with Nova's DHCP domain.
    assert metadata() == ("meta-guest.novalocal",) * 2
    assert _served_hostname(cloud, net["id"], port_id) == "meta-guest"

    assert _put(cloud, sid, 90, hostname="renamed-01").status_code == 200
    assert metadata() == ("renamed-01.novalocal",) * 2
    _wait_served(cloud, net["id"], port_id, "renamed-01")

    # An FQDN (2.94): the metadata service appends the domain as Nova's
    # does; DHCP hands out its first label.
    resp = _rebuild(cloud, sid, 94, hostname="guest.example.com")
    assert resp.status_code == 202, resp.text
    _active(cloud, sid)
    assert metadata() == ("guest.example.com.novalocal",) * 2
    _wait_served(cloud, net["id"], port_id, "guest.example.com")
    (svc,) = [s for s in cloud.stack.started
              if getattr(s, "binary", None) == "nimbus-network"]
    spec, served = svc.manager.driver.networks[net["id"]]
    (line,) = gateway.hosts_lines([served[port_id]])
    assert line.endswith(f",{address},guest"), line


def test_stock_clients_speak_hostname(cloud):
    osc = ["--os-compute-api-version", "2.90"]
    made = osc_json(cloud, "member", *osc, "server", "create", "--flavor",
                    "1", "--image", IMAGE, "--no-network", "--hostname",
                    "osc-01", "--wait", "osc-made")
    assert _show(cloud, made["id"], 90)[KEY] == "osc-01"
    cloud.openstack("member", *osc, "server", "set", "--hostname",
                    "osc-02", made["id"])
    shown = osc_json(cloud, "member", *osc, "server", "show", made["id"])
    assert shown.get("hostname", shown.get(KEY)) == "osc-02"
    cloud.openstack("member", *osc, "server", "rebuild", "--image", IMAGE,
                    "--hostname", "osc-03", "--wait", made["id"])
    assert _show(cloud, made["id"], 90)[KEY] == "osc-03"
    # The client refuses --hostname below 2.90 itself.
    result = cloud.openstack("member", "--os-compute-api-version", "2.89",
                             "server", "set", "--hostname", "x1",
                             made["id"], check=False)
    assert result.returncode != 0 and "2.90" in result.stderr

    conn = cloud.sdk("member")
    conn.compute.default_microversion = "2.94"
    server = conn.compute.create_server(
        name="sdk-made", image_id=IMAGE, flavor_id="1", networks="none",
        hostname="sdk.example.com")
    server = conn.compute.wait_for_server(server, interval=0.1, wait=30)
    assert conn.compute.get_server(server.id).hostname == "sdk.example.com"
    conn.compute.update_server(server, hostname="sdk-2")
    assert conn.compute.get_server(server.id).hostname == "sdk-2"
