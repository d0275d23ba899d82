"""``[api] response_validation``: answers checked against the schemas of
:mod:`nimbus.api.openstack.responses` (a key too many or missing fails),
and which routes have one."""

import json
import logging

import pytest
import webob

from nimbus.api.openstack import hooks, microversion, openapi, responses

_KEYPAIR = {"keypair": {
    "name": "k1", "fingerprint": "aa:bb", "public_key": "ssh-ed25519 AAAA",
    "user_id": "u1", "id": 3, "created_at": "2026-12-02T03:00:00.000000",
    "deleted": False, "deleted_at": None, "updated_at": None,
    "type": "ssh"}}


def _answer(body, path="/v2.1/os-keypairs/k1", version=(2, 2),
            mode="error", method="GET"):
    request = webob.Request.blank(path, method=method)
    request.context = {"api_version": version}
    response = webob.Response(status=200, content_type="application/json",
                              charset="utf-8", text=json.dumps(body))
    hooks.check_answer(request, response, mode)
    return response


def test_a_fitting_answer_passes():
    response = _answer(_KEYPAIR)
    assert response.status_int == 200
    assert response.json == _KEYPAIR


def test_an_extra_key_is_a_500_fault():
    body = {"keypair": dict(_KEYPAIR["keypair"], stray="x")}
    response = _answer(body)
    assert response.status_int == 500
    fault = response.json["computeFault"]
    assert fault["code"] == 500
    assert "GET /os-keypairs/{name} at 2.2" in fault["message"]
    assert "'stray' was unexpected" in fault["message"]


def test_a_missing_required_key_is_a_500_fault():
    body = {"keypair": dict(_KEYPAIR["keypair"])}
    del body["keypair"]["fingerprint"]
    response = _answer(body)
    assert response.status_int == 500
    assert "'fingerprint' is a required property" in \
        response.json["computeFault"]["message"]


def test_the_microversion_picks_the_schema():
    # ``type`` appeared at 2.2: at 2.1 it is a key too many
    assert _answer(_KEYPAIR, version=(2, 1)).status_int == 500


def test_warn_logs_one_line_and_keeps_the_answer(caplog):
    body = {"keypair": dict(_KEYPAIR["keypair"], stray="x")}
    with caplog.at_level(logging.WARNING):
        response = _answer(body, mode="warn")
    assert response.status_int == 200
    assert response.json == body
    lines = [r.getMessage() for r in caplog.records
             if r.name == hooks.__name__]
    assert len(lines) == 1
    assert "GET /os-keypairs/{name} at 2.2" in lines[0]


def test_routes_without_a_schema_and_faults_are_not_checked():
    assert _answer({"anything": 1},
                   path="/v2.1/os-networks").status_int == 200
    request = webob.Request.blank("/v2.1/os-keypairs/k1")
    request.context = {"api_version": (2, 2)}
    fault = webob.Response(status=404, content_type="application/json",
                           text='{"itemNotFound": {}}')
    hooks.check_answer(request, fault, "error")
    assert fault.status_int == 404


def test_a_body_that_is_not_json_fails():
    request = webob.Request.blank("/v2.1/limits")
    request.context = {"api_version": (2, 57)}
    response = webob.Response(status=200, content_type="application/json",
                              body=b"{")
    hooks.check_answer(request, response, "error")
    assert response.status_int == 500
    assert "not JSON" in response.json["computeFault"]["message"]


@pytest.mark.parametrize("path, project, route", [
    ("/", None, "/"),
    ("/v2.1/", None, "/v2.1"),
    ("/v2.1/servers/detail", None, "/servers/detail"),
    ("/v2.1/servers/abc", None, "/servers/{server_id}"),
    ("/v2.1/p1/servers/abc", "p1", "/servers/{server_id}"),
    ("/v2.1/flavors/1/os-extra_specs", None,
     "/flavors/{flavor_id}/os-extra_specs"),
    ("/v2.1/no-such-thing", None, None),
])
def test_route(path, project, route):
    assert responses.route(path, project) == route


#: the routes whose answers are checked (docs/api.md lists them too).
COVERED = {
    ("GET", "/"),
    ("GET", "/servers/{server_id}/topology"),
    ("GET", "/flavors"),
    ("POST", "/flavors"),
    ("GET", "/flavors/detail"),
    ("GET", "/flavors/{flavor_id}"),
    ("PUT", "/flavors/{flavor_id}"),
    ("POST", "/flavors/{flavor_id}/action"),
    ("GET", "/flavors/{flavor_id}/os-extra_specs"),
    ("POST", "/flavors/{flavor_id}/os-extra_specs"),
    ("GET", "/flavors/{flavor_id}/os-extra_specs/{key}"),
    ("PUT", "/flavors/{flavor_id}/os-extra_specs/{key}"),
    ("GET", "/flavors/{flavor_id}/os-flavor-access"),
    ("GET", "/limits"),
    ("GET", "/os-aggregates"),
    ("POST", "/os-aggregates"),
    ("GET", "/os-aggregates/{aggregate_id}"),
    ("PUT", "/os-aggregates/{aggregate_id}"),
    ("POST", "/os-aggregates/{aggregate_id}/action"),
    ("GET", "/os-availability-zone"),
    ("GET", "/os-availability-zone/detail"),
    ("GET", "/os-console-auth-tokens/{console_token}"),
    ("GET", "/os-hypervisors"),
    ("GET", "/os-hypervisors/detail"),
    ("GET", "/os-hypervisors/statistics"),
    ("GET", "/os-hypervisors/{hypervisor_id}"),
    ("GET", "/os-hypervisors/{hypervisor_id}/uptime"),
    ("GET", "/os-keypairs"),
    ("POST", "/os-keypairs"),
    ("GET", "/os-keypairs/{name}"),
    ("GET", "/os-migrations"),
    ("GET", "/os-quota-class-sets/{class_name}"),
    ("PUT", "/os-quota-class-sets/{class_name}"),
    ("GET", "/os-quota-sets/{project_id}"),
    ("PUT", "/os-quota-sets/{project_id}"),
    ("GET", "/os-quota-sets/{project_id}/defaults"),
    ("GET", "/os-quota-sets/{project_id}/detail"),
    ("POST", "/os-security-group-rules"),
    ("GET", "/os-security-groups"),
    ("POST", "/os-security-groups"),
    ("GET", "/os-security-groups/{security_group_id}"),
    ("PUT", "/os-security-groups/{security_group_id}"),
    ("POST", "/os-server-external-events"),
    ("GET", "/os-server-groups"),
    ("POST", "/os-server-groups"),
    ("GET", "/os-server-groups/{server_group_id}"),
    ("GET", "/os-services"),
    ("PUT", "/os-services/disable"),
    ("PUT", "/os-services/disable-log-reason"),
    ("PUT", "/os-services/enable"),
    ("PUT", "/os-services/force-down"),
    ("PUT", "/os-services/{service_id}"),
    ("GET", "/os-simple-tenant-usage"),
    ("GET", "/os-simple-tenant-usage/{project_id}"),
    ("GET", "/servers"),
    ("POST", "/servers"),
    ("GET", "/servers/detail"),
    ("GET", "/servers/{server_id}"),
    ("PUT", "/servers/{server_id}"),
    ("GET", "/servers/{server_id}/ips"),
    ("GET", "/servers/{server_id}/ips/{network}"),
    ("GET", "/servers/{server_id}/metadata"),
    ("POST", "/servers/{server_id}/metadata"),
    ("PUT", "/servers/{server_id}/metadata"),
    ("GET", "/servers/{server_id}/metadata/{key}"),
    ("PUT", "/servers/{server_id}/metadata/{key}"),
    ("GET", "/servers/{server_id}/migrations"),
    ("GET", "/servers/{server_id}/migrations/{migration_id}"),
    ("GET", "/servers/{server_id}/os-instance-actions"),
    ("GET", "/servers/{server_id}/os-instance-actions/{request_id}"),
    ("GET", "/servers/{server_id}/os-interface"),
    ("POST", "/servers/{server_id}/os-interface"),
    ("GET", "/servers/{server_id}/os-interface/{port_id}"),
    ("GET", "/servers/{server_id}/os-security-groups"),
    ("GET", "/servers/{server_id}/os-server-password"),
    ("GET", "/servers/{server_id}/os-virtual-interfaces"),
    ("GET", "/servers/{server_id}/os-volume_attachments"),
    ("POST", "/servers/{server_id}/os-volume_attachments"),
    ("GET", "/servers/{server_id}/os-volume_attachments/{volume_id}"),
    ("POST", "/servers/{server_id}/remote-consoles"),
    ("GET", "/servers/{server_id}/tags"),
    ("PUT", "/servers/{server_id}/tags"),
    ("GET", "/v2.1"),
}
#: routes that appeared after 2.1
_SINCE = {("PUT", "/flavors/{flavor_id}"): 55,
          ("PUT", "/os-services/force-down"): 11,
          ("PUT", "/os-services/{service_id}"): 53,
          ("GET", "/servers/{server_id}/tags"): 26,
          ("PUT", "/servers/{server_id}/tags"): 26,
          ("GET", "/servers/{server_id}/migrations"): 23,
          ("POST", "/servers/{server_id}/remote-consoles"): 6,
          ("GET", "/servers/{server_id}/topology"): 78,
          ("GET", "/servers/{server_id}/migrations/{migration_id}"): 23}
#: routes Nova removed: 2.53 replaced these with PUT
#: /os-services/{id}; the security group proxies went at 2.36; the
#: hypervisor statistics and uptime at 2.88.
_UNTIL = {("PUT", "/os-services/" + action): 52
          for action in ("disable", "enable", "disable-log-reason",
                         "force-down")} | {
    ("GET", "/os-security-groups"): 35,
    ("POST", "/os-security-groups"): 35,
    ("GET", "/os-security-groups/{security_group_id}"): 35,
    ("PUT", "/os-security-groups/{security_group_id}"): 35,
    ("POST", "/os-security-group-rules"): 35,
    ("GET", "/servers/{server_id}/os-virtual-interfaces"): 43,
    ("GET", "/os-hypervisors/statistics"): 87,
    ("GET", "/os-hypervisors/{hypervisor_id}/uptime"): 87}


def test_covered_routes():
    assert set(responses.SCHEMAS) == COVERED


def test_uncovered_routes_are_listed():
    """The answers no schema checks yet (the OpenAPI document's routes
    minus the covered ones): printed with ``pytest -s``."""
    documented = {(method.upper(), path)
                  for path, methods in openapi.ROUTES.items()
                  for method in methods}
    uncovered = sorted(documented - COVERED, key=lambda r: (r[1], r[0]))
    print("\nCompute routes without a response schema:")
    for method, path in uncovered:
        print(f"  {method} {path}")
    assert uncovered
    # the version documents and a few resources the OpenAPI document
    # leaves out
    assert {path for _, path in COVERED - documented} == {
        "/", "/v2.1", "/os-server-groups",
        "/os-server-groups/{server_group_id}",
        "/servers/{server_id}/ips/{network}",
        "/os-availability-zone/detail", "/os-aggregates",
        "/os-aggregates/{aggregate_id}",
        "/os-aggregates/{aggregate_id}/action",
        "/os-services/disable-log-reason", "/os-services/force-down",
        "/servers/{server_id}/os-instance-actions/{request_id}",
        "/servers/{server_id}/os-server-password",
        "/os-quota-class-sets/{class_name}"}


@pytest.mark.parametrize("key", sorted(responses.SCHEMAS),
                         ids=" ".join)
def test_ranges_cover_every_served_version(key):
    """From the route's first version to the advertised maximum without
    a gap, so a new maximum past a known change fails here until the
    schema learns it."""
    ranges = sorted(responses.SCHEMAS[key])
    assert ranges[0][0] == _SINCE.get(key, 1)
    for (_, last, _), (start, _, _) in zip(ranges[:-1], ranges[1:], strict=True):
        assert start == last + 1
    last = ranges[-1][1]
    if key in _UNTIL:
        assert last == _UNTIL[key]
    else:
        assert last is None or last >= microversion.MAX_VERSION[1]
