"""Compute API 2.74 through the in-process stack (fake plugin, hosts
fake-1 and fake-2, whose nodes are named as the hosts): ``host`` and
``hypervisor_hostname`` at server create, for administrators (policy
``compute:servers:create:requested_destination``), checked to exist
(Nova's 400s) and handed to the scheduler, whose filters still decide.
2.74 is above the advertised run, so the tests advertise it."""

import time

from tests.functional.api.test_volume_stock_clients import osc_json

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _create(cloud, server, minor=74, who="admin"):
    body = {"server": dict({"name": "dest", "flavorRef": "1",
                            "imageRef": IMAGE, "networks": "none"},
                           **server)}
    return cloud.sdk(who).compute.post("/servers", json=body,
                                       headers=_v(minor))


def _settled(cloud, sid, timeout=30):
    admin = cloud.sdk("admin")
    deadline = time.monotonic() + timeout
    while True:
        shown = admin.compute.get(f"/servers/{sid}").json()["server"]
        if shown["status"] in ("ACTIVE", "ERROR"):
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def _server_count(cloud):
    return len(cloud.sdk("admin").compute.get(
        "/servers?all_tenants=1").json()["servers"])


def test_create_on_a_requested_host_or_node_from_2_74(cloud, advertise):
    advertise(74)
    before = _server_count(cloud)

    # Nova's refusals, before anything is recorded.
    resp = _create(cloud, {"host": "fake-2"}, minor=73)
    assert resp.status_code == 400, resp.text
    assert "host" in resp.json()["badRequest"]["message"]
    resp = _create(cloud, {"hypervisor_hostname": "fake-2"}, minor=73)
    assert resp.status_code == 400, resp.text
    for server, unknown in (({"host": "fake-9"}, "fake-9"),
                            ({"hypervisor_hostname": "fake-9"}, "fake-9"),
                            ({"host": "fake-1",
                              "hypervisor_hostname": "fake-2"}, "fake-1")):
        resp = _create(cloud, server)
        assert resp.status_code == 400, resp.text
        assert resp.json()["badRequest"]["message"] == \
            f"Compute host {unknown} could not be found."
    for bad in ("a host", "", "x" * 256):
        assert _create(cloud, {"host": bad}).status_code == 400
        assert _create(cloud, {"hypervisor_hostname": bad}
                       ).status_code == 400
    resp = _create(cloud, {"host": "fake-2",
                           "availability_zone": "nova:fake-2"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == (
        "One mechanism with host and/or hypervisor_hostname and another "
        "mechanism with zone:host:node are mutually exclusive.")
    resp = _create(cloud, {"host": "fake-2"}, who="member")
    assert resp.status_code == 403, resp.text
    assert _server_count(cloud) == before

    # Placed where asked: by host, by node, by both.
    for server, host in (({"host": "fake-2"}, "fake-2"),
                         ({"hypervisor_hostname": "fake-1"}, "fake-1"),
                         ({"host": "fake-2",
                           "hypervisor_hostname": "fake-2"}, "fake-2"),
                         ({"host": "fake-1"}, "fake-1")):
        resp = _create(cloud, server)
        assert resp.status_code == 202, resp.text
        shown = _settled(cloud, resp.json()["server"]["id"])
        assert shown["status"] == "ACTIVE", shown
        assert (shown["OS-EXT-SRV-ATTR:host"],
                shown["OS-EXT-SRV-ATTR:hypervisor_hostname"]) == (host, host)

    # The filters still run: a disabled host is not forced.
    admin = cloud.sdk("admin")
    service = {"host": "fake-2", "binary": "nimbus-compute"}
    assert admin.compute.put("/os-services/disable",
                             json=service).status_code == 200
    time.sleep(1.5)   # the scheduler reads services once a second
    try:
        resp = _create(cloud, {"host": "fake-2"})
        assert resp.status_code == 202, resp.text
        shown = _settled(cloud, resp.json()["server"]["id"])
        assert shown["status"] == "ERROR"
        assert shown["OS-EXT-SRV-ATTR:host"] is None
        assert "No valid host" in shown["fault"]["message"]
    finally:
        admin.compute.put("/os-services/enable", json=service)


def test_openstack_client_host_and_hypervisor_hostname(cloud, advertise):
    """python-openstackclient sends them (through openstacksdk, as
    ``host`` and ``hypervisor_hostname``) only at 2.74 or later."""
    advertise(74)
    refused = cloud.openstack(
        "admin", "--os-compute-api-version", "2.73", "server", "create",
        "--image", "demo", "--flavor", "m1.tiny", "--host", "fake-2",
        "below", check=False)
    assert refused.returncode != 0
    assert "2.74 or greater is required" in refused.stderr
    for option, target in (("--host", "fake-2"),
                           ("--hypervisor-hostname", "fake-1"),
                           ("--host", "fake-1")):
        created = osc_json(cloud, "admin", "--os-compute-api-version",
                           "2.74", "server", "create", "--image", "demo",
                           "--flavor", "m1.tiny", option, target,
                           "--wait", f"osc-{target}")
        assert created["OS-EXT-SRV-ATTR:host"] == target, created
    unknown = cloud.openstack(
        "admin", "--os-compute-api-version", "2.74", "server", "create",
        "--image", "demo", "--flavor", "m1.tiny", "--host", "fake-9",
        "nowhere", check=False)
    assert unknown.returncode != 0
    assert "Compute host fake-9 could not be found." in unknown.stderr
    denied = cloud.openstack(
        "member", "--os-compute-api-version", "2.74", "server", "create",
        "--image", "demo", "--flavor", "m1.tiny", "--host", "fake-1",
        "mine", check=False)
    assert denied.returncode != 0
    assert "403" in denied.stderr or "olicy" in denied.stderr


def test_zone_host_forces_a_host_for_administrators(cloud):
    """``availability_zone: "zone:host[:node]"`` (every version; 2.37 here
    for ``networks: none``): an
    administrator's server goes to that host, in that zone; members are
    refused (policy ``os_compute_api:servers:create:forced_host``), an
    unknown host is Nova's 400, and nothing is recorded for either."""
    before = _server_count(cloud)
    resp = _create(cloud, {"availability_zone": "nova:fake-2"},
                   minor=37, who="member")
    assert resp.status_code == 403, resp.text
    resp = _create(cloud, {"availability_zone": "nova:fake-9"}, minor=37)
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == \
        "Compute host fake-9 could not be found."
    assert _server_count(cloud) == before

    for zone, host in (("nova:fake-2", "fake-2"), (":fake-1", "fake-1"),
                       ("nova:fake-2:fake-2", "fake-2")):
        resp = _create(cloud, {"availability_zone": zone}, minor=37)
        assert resp.status_code == 202, resp.text
        shown = _settled(cloud, resp.json()["server"]["id"])
        assert shown["status"] == "ACTIVE", shown
        assert shown["OS-EXT-SRV-ATTR:host"] == host
        assert shown["OS-EXT-AZ:availability_zone"] == "nova"
