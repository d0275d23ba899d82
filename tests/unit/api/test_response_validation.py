"""``[api] response_validation``: answers checked against the schemas of
:mod:`nimbus.api.openstack.responses` (a key too many or missing fails),
and which routes have one."""

import json
import logging
import types

import pytest
import webob

from nimbus.api.openstack import (
    hooks,
    microversion,
    openapi,
    responses,
    schemas,
)

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
                   path="/v2.1/no-such-thing").status_int == 200
    # the proxy is gone from 2.36: no schema there
    assert _answer({"anything": 1}, path="/v2.1/os-networks",
                   version=(2, 36)).status_int == 200
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
    ("DELETE", "/flavors/{flavor_id}"),
    ("DELETE", "/flavors/{flavor_id}/os-extra_specs/{key}"),
    ("GET", "/images"),
    ("GET", "/images/detail"),
    ("GET", "/images/{image_id}"),
    ("DELETE", "/os-aggregates/{aggregate_id}"),
    ("POST", "/os-aggregates/{aggregate_id}/images"),
    ("DELETE", "/os-keypairs/{name}"),
    ("GET", "/os-networks"),
    ("GET", "/os-networks/{network_id}"),
    ("DELETE", "/os-quota-sets/{project_id}"),
    ("DELETE", "/os-security-group-rules/{rule_id}"),
    ("DELETE", "/os-security-groups/{security_group_id}"),
    ("DELETE", "/os-server-groups/{server_group_id}"),
    ("DELETE", "/os-services/{service_id}"),
    ("DELETE", "/servers/{server_id}"),
    ("GET", "/servers/{server_id}/diagnostics"),
    ("DELETE", "/servers/{server_id}/metadata/{key}"),
    ("DELETE", "/servers/{server_id}/os-interface/{port_id}"),
    ("DELETE", "/servers/{server_id}/os-server-password"),
    ("DELETE", "/servers/{server_id}/os-volume_attachments/{volume_id}"),
    ("PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}"),
    ("DELETE", "/servers/{server_id}/tags"),
    ("DELETE", "/servers/{server_id}/tags/{tag}"),
    ("GET", "/servers/{server_id}/tags/{tag}"),
    ("PUT", "/servers/{server_id}/tags/{tag}"),
} | {("POST", "/servers/{server_id}/action", action)
     for action in schemas.ACTIONS}
#: routes that appeared after 2.1
_A = "/servers/{server_id}/action"
_SINCE = {("PUT", "/flavors/{flavor_id}"): 55,
          ("DELETE", "/servers/{server_id}/tags"): 26,
          ("DELETE", "/servers/{server_id}/tags/{tag}"): 26,
          ("GET", "/servers/{server_id}/tags/{tag}"): 26,
          ("PUT", "/servers/{server_id}/tags/{tag}"): 26,
          ("POST", "/os-aggregates/{aggregate_id}/images"): 81,
          ("POST", _A, "trigger_crash_dump"): 17,
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
#: hypervisor statistics and uptime at 2.88; the image and network
#: proxies at 2.36; ``os-getVNCConsole`` at 2.6.
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
    ("GET", "/os-hypervisors/{hypervisor_id}/uptime"): 87,
    ("DELETE", "/os-security-groups/{security_group_id}"): 35,
    ("DELETE", "/os-security-group-rules/{rule_id}"): 35,
    ("GET", "/images"): 35,
    ("GET", "/images/detail"): 35,
    ("GET", "/images/{image_id}"): 35,
    ("GET", "/os-networks"): 35,
    ("GET", "/os-networks/{network_id}"): 35,
    ("POST", _A, "os-getVNCConsole"): 5}


def test_covered_routes():
    assert set(responses.SCHEMAS) == COVERED


def test_every_documented_route_is_covered():
    """Every operation of the OpenAPI document has a response schema (an
    action route: every action nimbus serves), and the document has
    every route with one but the version documents (served above
    ``/v2.1``, the document's base)."""
    documented = {(method.upper(), path)
                  for path, methods in openapi.ROUTES.items()
                  for method in methods}
    covered = {key[:2] for key in COVERED}
    assert sorted(documented - covered) == []
    assert covered - documented == {("GET", "/"), ("GET", "/v2.1")}
    served = {key[2] for key in COVERED if len(key) == 3}
    assert served == set(schemas.ACTIONS)


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


def _raw(path, method, status, body=b"", version=(2, 2), request_body=None,
         app_iter=None):
    request = webob.Request.blank(path, method=method)
    request.context = {"api_version": version}
    if request_body is not None:
        request.body = json.dumps(request_body).encode()
    response = webob.Response(status=status)
    response.content_type = "application/json" if body else None
    if app_iter is not None:
        response.app_iter = app_iter
    else:
        response.body = body
    hooks.check_answer(request, response, "error")
    return response


def test_a_body_where_nova_sends_none_fails():
    assert _raw("/v2.1/servers/s1", "DELETE", 204).status_int == 204
    bad = _raw("/v2.1/servers/s1", "DELETE", 202, body=b"{}")
    assert bad.status_int == 500
    assert "a body where Nova's answer has none" in \
        bad.json["computeFault"]["message"]


def test_no_body_where_nova_sends_one_fails():
    bad = _raw("/v2.1/os-keypairs/k1", "GET", 200)
    assert bad.status_int == 500
    assert "no body where Nova's answer has one" in \
        bad.json["computeFault"]["message"]


def test_an_action_answer_is_checked_against_its_action():
    path = "/v2.1/servers/s1/action"
    image = {"image_id": "i1"}
    # createImage: a body from 2.45, none before
    assert _raw(path, "POST", 202, json.dumps(image).encode(),
                version=(2, 45),
                request_body={"createImage": {"name": "x"}}).status_int == 202
    assert _raw(path, "POST", 202, version=(2, 44),
                request_body={"createImage": {"name": "x"}}).status_int == 202
    bad = _raw(path, "POST", 202, json.dumps(image).encode(),
               version=(2, 44), request_body={"createImage": {"name": "x"}})
    assert bad.status_int == 500
    assert "POST /servers/{server_id}/action (createImage) at 2.44" in \
        bad.json["computeFault"]["message"]
    # the same body is a fault for an action that answers none
    assert _raw(path, "POST", 202, json.dumps(image).encode(),
                version=(2, 45),
                request_body={"pause": None}).status_int == 500


def test_an_empty_generator_body_stays_a_generator():
    """Nova's empty 200s (evacuate from 2.14) stay 200 in pecan only with
    a generator body: the check must not spend it."""
    response = _raw("/v2.1/servers/s1/action", "POST", 200, version=(2, 14),
                    request_body={"evacuate": {}},
                    app_iter=(chunk for chunk in (b"",)))
    assert response.status_int == 200
    assert isinstance(response.app_iter, types.GeneratorType)
    assert list(response.app_iter) == [b""]


def test_rebuild_reuses_the_update_bodies():
    """rebuild's schemas are the update's plus adminPass, key_name
    (2.54) and user_data (2.57), over the same versions."""
    update = responses.SCHEMAS[("PUT", "/servers/{server_id}")]
    rebuild = responses.SCHEMAS[("POST", _A, "rebuild")]
    assert rebuild[0][0] == update[0][0]
    assert rebuild[-1][1] == update[-1][1]
    for minor in (1, 54, 57, 75, update[-1][1] or 100):
        put = responses.schema("PUT", "/servers/{server_id}", (2, minor))
        built = responses.schema("POST", _A, (2, minor), "rebuild")
        extra = set(built["properties"]["server"]["properties"]) - \
            set(put["properties"]["server"]["properties"])
        assert extra == {"adminPass"} | ({"key_name"} if minor >= 54 and
                                         minor < 75 else set()) | (
            {"user_data"} if minor >= 57 else set())
