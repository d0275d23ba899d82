"""Remote consoles (Compute API 2.1-2.5 os-getVNCConsole, 2.6/2.8
remote-consoles, 2.31 os-console-auth-tokens) through the stock clients,
down to the fake hypervisor's VNC server through nimbus-novncproxy; and
the refusals. ``fake-2`` runs without the ``vnc_console`` capability."""

import json
import subprocess

import pytest

from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests import rfb_client
from tests.functional.api.conftest import BIN
from tests.functional.api.spread import boot_one_per_host

NOVNC = {"remote_console": {"protocol": "vnc", "type": "novnc"}}


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             ["fake-2:vnc_console"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def _boot_one_per_host(cloud):
    """One server of project demo on each fake host: {host: id}."""
    return boot_one_per_host(cloud.sdk("member"), cloud.sdk("admin"), "vnc")


def _token(url):
    path, _ = rfb_client.websocket_path(url)
    return path.split("token=", 1)[1]


def _banner(url):
    path, address = rfb_client.websocket_path(url)
    return rfb_client.read_banner(address, path)


def test_console_urls_reach_the_guest_through_stock_clients(cloud):
    sid = _boot_one_per_host(cloud)["fake-1"]
    # openstack console url show, as stock: whatever microversion it
    # negotiates, and 2.6 (remote-consoles) explicitly.
    urls = []
    for args in ((), ("--os-compute-api-version", "2.6")):
        shown = json.loads(cloud.openstack(
            "member", *args, "console", "url", "show", sid,
            "-f", "json").stdout)
        assert shown["type"] == "novnc", shown
        urls.append(shown["url"])
    # nimbus's own CLI.
    mine = subprocess.run([f"{BIN}/nimbus", "console", "url", "show", sid,
                           "-f", "json"], env=cloud.env("member"),
                          capture_output=True, text=True, timeout=60)
    assert mine.returncode == 0, mine.stderr
    urls.append(json.loads(mine.stdout)["url"])
    # openstacksdk and novaclient (2.1: the action; 2.6: remote-consoles).
    member = cloud.sdk("member")
    urls.append(member.compute.create_server_remote_console(
        sid, protocol="vnc", type="novnc").url)
    from novaclient import client
    for version in ("2.1", "2.6"):
        nova = client.Client(version, session=member.session)
        body = nova.servers.get_vnc_console(sid, "novnc")
        console = body.get("console") or body["remote_console"]
        urls.append(console["url"])
    assert len(set(urls)) == len(urls)  # a new token every time
    for url in urls:
        assert url.startswith(cloud.stack.conf.vnc.novncproxy_base_url)
        assert _banner(url).startswith(b"RFB 003.")
    # A browser on the proxy's own page may; another site's page not.
    path, address = rfb_client.websocket_path(urls[-1])
    assert rfb_client.read_banner(
        address, path, origin=f"http://{address[0]}:{address[1]}"
    ).startswith(b"RFB 003.")
    with pytest.raises(rfb_client.Refused) as refused:
        rfb_client.read_banner(address, path, origin="http://evil.example")
    assert refused.value.status == 403

    # 2.31: what a token opens, for administrators, any console type.
    admin = cloud.sdk("admin")
    token = _token(urls[0])
    resp = admin.compute.get(f"/os-console-auth-tokens/{token}",
                             headers=_v(31))
    assert resp.status_code == 200, resp.text
    console = resp.json()["console"]
    assert console["instance_uuid"] == sid
    assert console["host"] == "127.0.0.1" and console["port"] > 0
    assert console["internal_access_path"] is None
    # Before 2.31 only RDP consoles are shown (Nova's 400).
    resp = admin.compute.get(f"/os-console-auth-tokens/{token}",
                             headers=_v(30))
    assert resp.status_code == 400, resp.text
    resp = member.compute.get(f"/os-console-auth-tokens/{token}",
                              headers=_v(31))
    assert resp.status_code == 403, resp.text
    resp = admin.compute.get("/os-console-auth-tokens/no-such-token",
                             headers=_v(31))
    assert resp.status_code == 404, resp.text
    assert resp.json()["itemNotFound"]["code"] == 404

    # Expired and garbage tokens: refused by the proxy (403, nothing
    # connected) and unknown to the API.
    cloud.stack.conf.set_override("token_ttl", 0, "consoleauth")
    expired = member.compute.post(f"/servers/{sid}/remote-consoles",
                                  json=NOVNC, headers=_v(6))
    assert expired.status_code == 200, expired.text
    expired_url = expired.json()["remote_console"]["url"]
    path, address = rfb_client.websocket_path(expired_url)
    for bad in (path, "/?token=garbage", "/"):
        with pytest.raises(rfb_client.Refused) as refused:
            rfb_client.read_banner(address, bad)
        assert refused.value.status == 403
    resp = admin.compute.get(
        f"/os-console-auth-tokens/{_token(expired_url)}", headers=_v(31))
    assert resp.status_code == 404, resp.text

    # Deleting the server revokes its tokens.
    cloud.stack.conf.clear_override("token_ttl", "consoleauth")
    member.compute.delete_server(sid)
    with pytest.raises(rfb_client.Refused):
        _banner(urls[1])


def test_console_refusals(cloud):
    placed = _boot_one_per_host(cloud)
    sid = placed["fake-1"]
    member = cloud.sdk("member")
    url = f"/servers/{sid}/remote-consoles"

    def post(body, minor=6, conn=member, path=url):
        return conn.compute.post(path, json=body, headers=_v(minor))

    def console(protocol, kind):
        return {"remote_console": {"protocol": protocol, "type": kind}}

    # Unserved protocols and types, mismatched pairs: 400.
    for body in (console("spice", "spice-html5"), console("rdp", "rdp-html5"),
                 console("serial", "serial"), console("vnc", "xvpvnc"),
                 console("vnc", "spice-html5"), console("ssh", "novnc"),
                 {"remote_console": {"protocol": "vnc"}},
                 {"remote_console": {"protocol": "vnc", "type": "novnc",
                                     "x": 1}},
                 {"console": NOVNC["remote_console"]}, {}):
        resp = post(body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    # MKS: not in the 2.6 schema; from 2.8 known but unavailable.
    for minor in (6, 8):
        resp = post(console("mks", "webmks"), minor)
        assert resp.status_code == 400, resp.text
    assert "Unavailable console type webmks" in resp.text
    # remote-consoles is 2.6+; os-getVNCConsole 2.1-2.5.
    assert post(NOVNC, 5).status_code == 404
    action = f"/servers/{sid}/action"
    resp = post({"os-getVNCConsole": {"type": "novnc"}}, 6, path=action)
    assert resp.status_code == 404, resp.text
    resp = post({"os-getVNCConsole": {"type": "novnc"}}, 5, path=action)
    assert resp.status_code == 200, resp.text
    assert set(resp.json()["console"]) == {"type", "url"}
    for args in ({"type": "xvpvnc"}, {"type": "spice-html5"}, {}, None):
        resp = post({"os-getVNCConsole": args}, 1, path=action)
        assert resp.status_code == 400, (args, resp.text)

    # Policy: a reader of the project may not, another project sees no
    # such server.
    assert post(NOVNC, conn=cloud.sdk("reader")).status_code == 403
    assert post(NOVNC, conn=cloud.sdk("other")).status_code == 404

    # A host whose hypervisor has no VNC consoles: 409.
    resp = post(NOVNC, path=f"/servers/{placed['fake-2']}/remote-consoles")
    assert resp.status_code == 409, resp.text
    assert "vnc_console" in resp.text or "fake-2" in resp.text

    # A server that is not ACTIVE: 409.
    member.compute.stop_server(sid)
    member.compute.wait_for_server(member.compute.get_server(sid),
                                   status="SHUTOFF", interval=0.2, wait=60)
    resp = post(NOVNC)
    assert resp.status_code == 409, resp.text
    assert resp.json()["conflictingRequest"]["code"] == 409
