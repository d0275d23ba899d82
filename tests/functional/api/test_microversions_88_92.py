"""Compute API 2.88 and 2.92 through the in-process stack and the stock
clients.

2.88: detailed hypervisor bodies (``/os-hypervisors/detail`` and
``/os-hypervisors/{id}``) lose the resource figures and carry the host's
``uptime`` line (asked of its compute; null for a host that is down);
``/os-hypervisors/statistics`` and ``/os-hypervisors/{id}/uptime`` are
gone (404). 2.92: ``POST /os-keypairs`` only imports (``public_key``
required: nimbus no longer makes private keys) and names may hold ``@``
and ``.``, which are Nova's 400 below 2.92. The suite's stack checks
every answer against the response schemas of Nova's API reference."""

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

_FIGURES = {"cpu_info", "current_workload", "disk_available_least",
            "free_disk_gb", "free_ram_mb", "local_gb", "local_gb_used",
            "memory_mb", "memory_mb_used", "running_vms", "vcpus",
            "vcpus_used"}
_DETAIL_288 = {"id", "hypervisor_hostname", "state", "status",
               "hypervisor_type", "hypervisor_version", "host_ip",
               "service", "uptime"}


@pytest.fixture
def cloud(cloud, advertise):
    advertise(92)
    return cloud


def _get(conn, path, version):
    return conn.compute.get(path, microversion=version)


def checked(resp):
    """The answer's body (its shape is checked by the API itself: the
    suite runs with ``[api] response_validation = error``)."""
    assert resp.status_code == 200, resp.text
    return resp.json()


def _public_key():
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


def test_hypervisor_bodies_carry_uptime_not_figures_from_2_88(cloud):
    admin = cloud.sdk("admin")
    old, = [h for h in _get(admin, "/os-hypervisors/detail",
                            "2.87").json()["hypervisors"]
            if h["service"]["host"] == "fake-1"]
    assert _FIGURES <= set(old) and "uptime" not in old
    assert admin.compute.put("/os-services/force-down", json={
        "host": "fake-2", "binary": "nimbus-compute", "forced_down": True},
        microversion="2.11").status_code == 200
    listed = {h["service"]["host"]: h for h in checked(
        _get(admin, "/os-hypervisors/detail", "2.88"))["hypervisors"]}
    assert set(listed) == {"fake-1", "fake-2"}
    for body in listed.values():
        assert set(body) == _DETAIL_288
    assert " up " in listed["fake-1"]["uptime"], listed["fake-1"]
    assert listed["fake-2"]["uptime"] is None       # down: not asked
    shown = checked(_get(admin, f"/os-hypervisors/{listed['fake-1']['id']}",
                         "2.88"))["hypervisor"]
    assert set(shown) == _DETAIL_288 and " up " in shown["uptime"]
    # The brief list does not change.
    brief = checked(_get(admin, "/os-hypervisors", "2.88"))["hypervisors"]
    assert {h["hypervisor_hostname"] for h in brief} == {
        h["hypervisor_hostname"] for h in listed.values()}
    assert all(set(h) == {"id", "hypervisor_hostname", "state", "status"}
               for h in brief)


def test_statistics_and_uptime_routes_are_gone_at_2_88(cloud):
    admin = cloud.sdk("admin")
    node = _get(admin, "/os-hypervisors", "2.87").json()["hypervisors"][0]
    for path in ("/os-hypervisors/statistics",
                 f"/os-hypervisors/{node['id']}/uptime"):
        assert _get(admin, path, "2.87").status_code == 200, path
        gone = _get(admin, path, "2.88")
        assert gone.status_code == 404, (path, gone.text)
        assert gone.json()["itemNotFound"]["code"] == 404


def test_stock_client_shows_a_hypervisor_at_2_88(cloud):
    admin = cloud.sdk("admin")
    node = _get(admin, "/os-hypervisors", "2.88").json()["hypervisors"][0]
    shown = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", "2.88", "hypervisor", "show",
        node["id"], "-f", "json").stdout)
    # The client parses the uptime line into its parts.
    assert shown["uptime"] and shown["load_average"], shown
    assert "vcpus" not in shown and "memory_mb" not in shown
    listed = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", "2.88", "hypervisor", "list",
        "--long", "-f", "json").stdout)
    assert {h["ID"] for h in listed} >= {node["id"]}


def test_keypairs_are_imported_only_from_2_92(cloud):
    member = cloud.sdk("member")
    made = member.compute.post("/os-keypairs", json={"keypair": {
        "name": "made"}}, microversion="2.91")
    assert made.status_code == 201, made.text
    assert "private_key" in made.json()["keypair"]
    refused = member.compute.post("/os-keypairs", json={"keypair": {
        "name": "made-292"}}, microversion="2.92")
    assert refused.status_code == 400, refused.text
    assert "public_key" in refused.json()["badRequest"]["message"]
    key = _public_key()
    for name, version, status in (("me@host.example", "2.91", 400),
                                  ("me@host.example", "2.92", 201),
                                  ("bad/name", "2.92", 400)):
        resp = member.compute.post("/os-keypairs", json={"keypair": {
            "name": name, "public_key": key}}, microversion=version)
        assert resp.status_code == status, (name, version, resp.text)
    body = checked(member.compute.get("/os-keypairs/me@host.example",
                                      microversion="2.92"))["keypair"]
    assert body["public_key"] == key
    names = {k.name for k in member.compute.keypairs()}
    assert {"made", "me@host.example"} <= names
    assert "made-292" not in names


def test_stock_client_makes_the_key_itself_at_2_92(cloud, tmp_path):
    """At 2.92 ``openstack keypair create`` without ``--public-key``
    makes the key pair locally and imports its public half."""
    private = tmp_path / "id"
    cloud.openstack("member", "--os-compute-api-version", "2.92",
                    "keypair", "create", "--private-key", str(private),
                    "laptop.me@example")
    assert private.read_text().startswith("-----BEGIN")
    shown = json.loads(cloud.openstack(
        "member", "--os-compute-api-version", "2.92", "keypair", "show",
        "laptop.me@example", "-f", "json").stdout)
    assert shown["name"] == "laptop.me@example"
