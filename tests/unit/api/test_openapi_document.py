"""The compute OpenAPI document: valid OpenAPI 3.1 (the metaschema
schemathesis ships), and its success responses are the response schemas
the running API checks answers with."""

import copy

import jsonschema
import pytest
from schemathesis.specs.openapi import definitions

from nimbus.api.openstack import openapi, responses
from nimbus.api.openstack.responses import server_actions

DOC = openapi.document("http://nimbus.test")
_A = "/servers/{server_id}/action"


def test_the_document_is_valid_openapi_3_1():
    validator = definitions.OPENAPI_31_VALIDATOR
    errors = [e.message for e in validator.iter_errors(DOC)]
    assert errors == []
    broken = copy.deepcopy(DOC)
    del broken["paths"]["/servers"]["get"]["responses"]["200"][
        "description"]
    assert not validator.is_valid(broken)


def _bodies(operation):
    """(status, variant schema) of an operation's success responses."""
    for status, answer in operation["responses"].items():
        if status == "default":
            continue
        content = answer.get("content", {}).get("application/json")
        for variant in (content or {"schema": {"anyOf": []}})[
                "schema"]["anyOf"]:
            yield status, variant


@pytest.mark.parametrize("path", sorted(DOC["paths"]))
def test_response_schemas_are_valid_json_schemas(path):
    for operation in DOC["paths"][path].values():
        for _, variant in _bodies(operation):
            jsonschema.Draft202012Validator.check_schema(variant)


def _strip(variant):
    return {k: v for k, v in variant.items() if not k.startswith("x-")}


def _covers(variants, ranges):
    """Each range's schema is the variant whose versions hold it (equal
    neighbours are one variant)."""
    for first, last, schema in ranges:
        held = [v for v in variants if _holds(v, first, last)]
        assert [_strip(v) for v in held] == [schema], (first, last)


def _holds(variant, first, last):
    versions = variant["x-openstack-microversions"]
    low = int(versions["min"][2:])
    high = int(versions["max"][2:]) if "max" in versions else None
    return low <= first and (high is None or
                             (last is not None and last <= high))


def test_a_route_s_variants_are_its_response_schemas():
    operation = DOC["paths"]["/servers/{server_id}"]["get"]
    variants = [v for _, v in _bodies(operation)]
    _covers(variants, responses.SCHEMAS[("GET", "/servers/{server_id}")])
    assert variants[0]["x-openstack-microversions"] == {"min": "2.1",
                                                       "max": "2.2"}
    update = [v for _, v in _bodies(
        DOC["paths"]["/servers/{server_id}"]["put"])]
    _covers(update, responses.SCHEMAS[("PUT", "/servers/{server_id}")])
    # 2.1 and 2.3 update bodies are one
    assert update[0]["x-openstack-microversions"] == {"min": "2.1",
                                                     "max": "2.8"}


def test_an_action_s_variants_carry_its_name_and_status():
    responses_ = DOC["paths"][_A]["post"]["responses"]
    rebuilt = [v for s, v in _bodies(DOC["paths"][_A]["post"])
               if v.get("x-openstack-action") == "rebuild"]
    _covers(rebuilt, responses.SCHEMAS[("POST", _A, "rebuild")])
    assert "content" not in responses_["204"]        # confirmResize
    assert "confirmResize" in responses_["204"]["description"]
    assert {v["x-openstack-action"] for _, v in
            _bodies(DOC["paths"][_A]["post"]) if _ == "200"} == {
        name for name, code in server_actions.STATUS.items()
        if code == 200}
    assert "(createImage 2.1-2.44)" in responses_["202"]["description"]


def test_an_answer_without_a_body_has_no_content():
    answer = DOC["paths"]["/servers/{server_id}"]["delete"]["responses"]
    assert answer["204"] == {"description": "Success; no body (2.1+)"}


def test_a_status_that_changed_with_a_version_is_split_there():
    delete = DOC["paths"]["/os-keypairs/{name}"]["delete"]["responses"]
    assert delete["202"] == {"description": "Success; no body (2.1-2.1)"}
    assert delete["204"] == {"description": "Success; no body (2.2+)"}
    created = [(code, v["x-openstack-microversions"]) for code, v in
               _bodies(DOC["paths"]["/os-keypairs"]["post"])]
    assert created == [("200", {"min": "2.1", "max": "2.1"}),
                       ("201", {"min": "2.2", "max": "2.91"}),
                       ("201", {"min": "2.92"})]


def test_every_route_with_a_response_schema_is_documented():
    documented = {(m.upper(), p) for p, ms in DOC["paths"].items()
                  for m in ms}
    routes = {key[:2] for key in responses.SCHEMAS}
    # the version documents live above the document's base (/v2.1)
    assert routes - documented == {("GET", "/"), ("GET", "/v2.1")}
