"""os-services and os-hypervisors from 2.53 (services and compute nodes
by UUID; the hypervisor search as query parameters) through the compute
dialect's WSGI app over a migrated SQLite database: the controller
paths, the bad-input 400/404s, and the lower microversions unchanged."""

import json
import uuid

import pytest
import webob

from nimbus.api import app as api_app
from nimbus.core import context as nimbus_context

ADMIN = "admin:admin"
UNKNOWN = "9b1a0c5e-7d43-4c2e-9a55-0f7c8f3d2b11"


@pytest.fixture
def api(nimbus_conf, db_api):
    """``call(method, path, version, body=None, token=ADMIN)`` ->
    ``(status, decoded body)``, with two computes (fake-1, fake-2), a
    scheduler and one node per compute."""
    ctx = nimbus_context.get_admin_context()
    for host, binary in (("fake-1", "nimbus-compute"),
                         ("fake-2", "nimbus-compute"),
                         ("ctl", "nimbus-scheduler")):
        db_api.services.create(ctx, {"host": host, "binary": binary,
                                     "topic": binary[7:]})
    for host in ("fake-1", "fake-2"):
        db_api.compute_nodes.report_inventory(ctx, host, host, {
            "hypervisor_type": "fake", "hypervisor_version": 1,
            "cpu_info": "{}", "vcpus": 4, "memory_mb": 4096,
            "local_gb": 40})
    wsgi = api_app.setup_app(nimbus_conf,
                             api_app.Services(nimbus_conf, db_api))

    def call(method, path, version="2.53", body=None, token=ADMIN):
        request = webob.Request.blank(
            "/v2.1" + path, method=method,
            base_url="http://nimbus.example:8774",
            headers={"X-Auth-Token": token,
                     "OpenStack-API-Version": f"compute {version}"})
        if body is not None:
            request.body = json.dumps(body).encode()
            request.content_type = "application/json"
        response = request.get_response(wsgi)
        return response.status_int, (json.loads(response.body)
                                     if response.body else None)
    call.db = db_api
    return call


def _services(api, version="2.53", query=""):
    status, body = api("GET", "/os-services" + query, version)
    assert status == 200, body
    return {(s["host"], s["binary"]): s for s in body["services"]}


def _message(body):
    [(_, fault)] = body.items()
    return fault["message"]


def test_service_ids_are_uuids_from_2_53(api):
    new = _services(api)
    old = _services(api, "2.52")
    assert set(new) == set(old)
    for key, service in new.items():
        assert uuid.UUID(service["id"])
        assert isinstance(old[key]["id"], int)
        assert service["forced_down"] is False
    assert {s["id"] for s in new.values()} == {
        s["uuid"] for s in api.db.services.get_all(
            nimbus_context.get_admin_context())}


def test_update_by_uuid_answers_the_whole_service(api):
    compute = _services(api)[("fake-2", "nova-compute")]
    status, body = api("PUT", f"/os-services/{compute['id']}", body={
        "status": "disabled", "disabled_reason": "maintenance",
        "forced_down": True})
    assert status == 200, body
    service = body["service"]
    assert (service["id"], service["status"], service["disabled_reason"],
            service["forced_down"], service["state"]) == (
        compute["id"], "disabled", "maintenance", True, "down")
    assert set(service) == set(compute)
    status, body = api("PUT", f"/os-services/{compute['id']}", body={
        "status": "enabled", "forced_down": "false"})
    assert status == 200, body
    assert (body["service"]["status"], body["service"]["disabled_reason"],
            body["service"]["forced_down"]) == ("enabled", None, False)
    # Disabling without a reason clears an old one (Nova's).
    api("PUT", f"/os-services/{compute['id']}",
        body={"status": "disabled", "disabled_reason": "x"})
    status, body = api("PUT", f"/os-services/{compute['id']}",
                       body={"status": "disabled"})
    assert body["service"]["disabled_reason"] is None


@pytest.mark.parametrize("body, message", [
    ({}, "No updates were requested"),
    ({"disabled_reason": "why"}, "No updates were requested"),
    ({"status": "enabled", "disabled_reason": "why"},
     "Specifying 'disabled_reason' with status 'enabled' is invalid."),
    ({"status": "off"}, "status"),
    ({"forced_down": "maybe"}, "forced_down"),
    ({"status": "disabled", "disabled_reason": ""}, "disabled_reason"),
    ({"status": "disabled", "disabled_reason": "x" * 256},
     "disabled_reason"),
    ({"host": "fake-1", "binary": "nova-compute"}, "Additional"),
])
def test_bad_update_bodies_are_400s_and_change_nothing(api, body, message):
    compute = _services(api)[("fake-1", "nova-compute")]
    status, answer = api("PUT", f"/os-services/{compute['id']}", body=body)
    assert status == 400, answer
    assert message in _message(answer)
    assert _services(api)[("fake-1", "nova-compute")] == compute


def test_update_refusals(api):
    scheduler = _services(api)[("ctl", "nova-scheduler")]
    status, body = api("PUT", f"/os-services/{scheduler['id']}",
                       body={"status": "disabled"})
    assert status == 400
    assert _message(body) == ("Updating a nova-scheduler service is not "
                              "supported. Only nova-compute services can "
                              "be updated.")
    status, body = api("PUT", f"/os-services/{UNKNOWN}",
                       body={"status": "disabled"})
    assert status == 404, body
    # The old action routes are gone: their names are no UUIDs.
    for action in ("disable", "enable", "force-down", "1"):
        status, body = api("PUT", f"/os-services/{action}",
                           body={"status": "disabled"})
        assert (status, _message(body)) == (400, f"Invalid uuid {action}")
    status, body = api("PUT", "/os-services/disable",
                       body={"host": "fake-1", "binary": "nova-compute"})
    assert status == 400
    compute = _services(api)[("fake-1", "nova-compute")]
    status, body = api("PUT", f"/os-services/{compute['id']}",
                       body={"status": "disabled"}, token="demo:demo")
    assert status == 403
    assert compute["status"] == "enabled"


def test_lower_versions_keep_the_action_routes(api):
    status, body = api("PUT", "/os-services/disable", "2.52",
                       body={"host": "fake-1", "binary": "nova-compute"})
    assert (status, body) == (200, {"service": {
        "host": "fake-1", "binary": "nova-compute", "status": "disabled"}})
    compute = _services(api, "2.52")[("fake-1", "nova-compute")]
    status, _ = api("PUT", f"/os-services/{compute['id']}", "2.52",
                    body={"status": "enabled"})
    assert status == 404
    uuid_ = _services(api)[("fake-1", "nova-compute")]["id"]
    status, _ = api("DELETE", f"/os-services/{uuid_}", "2.52")
    assert status == 404


def test_delete_by_uuid(api):
    services = _services(api)
    status, body = api("DELETE", "/os-services/1")
    assert (status, _message(body)) == (400, "Invalid uuid 1")
    status, body = api("DELETE", f"/os-services/{UNKNOWN}")
    assert status == 404, body
    gone = services[("ctl", "nova-scheduler")]["id"]
    status, _ = api("DELETE", f"/os-services/{gone}")
    assert status == 204
    assert ("ctl", "nova-scheduler") not in _services(api)
    status, _ = api("DELETE", f"/os-services/{gone}")
    assert status == 404


def _nodes(api, version="2.53", path="/os-hypervisors/detail"):
    status, body = api("GET", path, version)
    assert status == 200, body
    return body["hypervisors"]


def test_hypervisor_ids_are_uuids_from_2_53(api):
    new, old = _nodes(api), _nodes(api, "2.52")
    assert [n["hypervisor_hostname"] for n in new] == ["fake-1", "fake-2"]
    services = _services(api)
    for node, before in zip(new, old, strict=True):
        assert uuid.UUID(node["id"]) and isinstance(before["id"], int)
        assert node["service"]["id"] == services[
            (node["hypervisor_hostname"], "nova-compute")]["id"]
        assert isinstance(before["service"]["id"], int)
        assert "servers" not in node
    status, body = api("GET", f"/os-hypervisors/{new[0]['id']}")
    assert status == 200 and body["hypervisor"] == new[0]
    status, body = api("GET", f"/os-hypervisors/{old[0]['id']}", "2.52")
    assert status == 200 and body["hypervisor"] == old[0]


def test_hypervisor_show_and_uptime_want_uuids(api):
    for path in ("/os-hypervisors/1", "/os-hypervisors/fake-1/uptime"):
        status, body = api("GET", path)
        assert status == 400, body
        assert _message(body).startswith("Invalid uuid ")
    for path in (f"/os-hypervisors/{UNKNOWN}",
                 f"/os-hypervisors/{UNKNOWN}/uptime"):
        assert api("GET", path)[0] == 404
    node = _nodes(api)[0]["id"]
    for query in ("?with_servers=maybe", "?bogus=1",
                  "?with_servers=1&with_servers=0"):
        status, body = api("GET", f"/os-hypervisors/{node}{query}")
        assert status == 400, (query, body)
    status, body = api("GET", f"/os-hypervisors/{node}?with_servers=true")
    assert status == 200 and "servers" not in body["hypervisor"]


def test_search_and_servers_routes_are_gone_from_2_53(api):
    for tail in ("search", "servers"):
        assert api("GET", f"/os-hypervisors/fake/{tail}")[0] == 404
        status, body = api("GET", f"/os-hypervisors/fake/{tail}", "2.52")
        assert status == 200 and len(body["hypervisors"]) == 2


def test_hostname_pattern_and_with_servers(api):
    found = _nodes(api, path="/os-hypervisors?hypervisor_hostname_pattern"
                             "=ke-2&with_servers=yes")
    assert [(n["hypervisor_hostname"], set(n)) for n in found] == [
        ("fake-2", {"id", "hypervisor_hostname", "state", "status"})]
    status, body = api("GET", "/os-hypervisors/detail?"
                              "hypervisor_hostname_pattern=nowhere")
    assert (status, _message(body)) == (
        404, "No hypervisor matching 'nowhere' could be found.")
    for query in ("hypervisor_hostname_pattern=fake&limit=1",
                  f"hypervisor_hostname_pattern=fake&marker={UNKNOWN}"):
        status, body = api("GET", "/os-hypervisors?" + query)
        assert status == 400 and "Paging over hypervisors" in \
            _message(body)
    for query in ("hypervisor_hostname_pattern=a%20b", "with_servers=2",
                  "limit=-1", "limit=x", "sort=id", "marker=nonsense"):
        status, body = api("GET", "/os-hypervisors?" + query)
        assert status == 400, (query, body)
    # Below 2.53 the parameters mean nothing (ignored, as Nova's).
    assert len(_nodes(api, "2.52", "/os-hypervisors?with_servers=true&"
                                   "hypervisor_hostname_pattern=x")) == 2


def test_paging_by_uuid(api):
    every = [n["id"] for n in _nodes(api)]
    status, page = api("GET", "/os-hypervisors?limit=1")
    assert [n["id"] for n in page["hypervisors"]] == every[:1]
    link, = page["hypervisors_links"]
    assert f"marker={every[0]}" in link["href"]
    status, page = api("GET", f"/os-hypervisors/detail?marker={every[0]}")
    assert [n["id"] for n in page["hypervisors"]] == every[1:]
    status, body = api("GET", f"/os-hypervisors?marker={UNKNOWN}")
    assert (status, _message(body)) == (
        400, f"Invalid input received: marker [{UNKNOWN}] not found")
    # Nova's paging takes a node's UUID or id as the marker at any
    # version from 2.33; the ids and links follow the version.
    old = [n["id"] for n in _nodes(api, "2.33")]
    status, page = api("GET", f"/os-hypervisors?marker={every[0]}", "2.33")
    assert [n["id"] for n in page["hypervisors"]] == old[1:]
    status, page = api("GET", f"/os-hypervisors?marker={old[0]}")
    assert [n["id"] for n in page["hypervisors"]] == every[1:]
