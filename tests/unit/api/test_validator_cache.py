"""A schema's validator is built once per schema object (the schema is
kept with it, so a new schema never gets another's validator), and the
server create schema once per microversion."""

import jsonschema
import pytest

from nimbus.api import http
from nimbus.api.openstack.controllers import servers

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}},
          "additionalProperties": False}


def test_one_validator_per_schema_object():
    first = http._validator(SCHEMA)
    assert http._validator(SCHEMA) is first
    same_content = dict(SCHEMA)
    assert http._validator(same_content) is not first
    http.check({"name": "x"}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        http.check({"name": 1}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        http.check({"other": "x"}, same_content)


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(http, "_VALIDATORS_MAX", 4)
    schemas = [{"type": "object", "minProperties": n} for n in range(10)]
    for schema in schemas:
        http._validator(schema)
    assert len(http._VALIDATORS) <= 4
    # what was evicted is built again and still validates
    with pytest.raises(jsonschema.ValidationError):
        http.check({}, schemas[3])


def test_the_create_schema_follows_the_microversion():
    old, new = servers._create_schema((2, 1)), servers._create_schema((2, 90))
    assert servers._create_schema((2, 1)) is old
    props = old["properties"]["server"]["properties"]
    assert "description" not in props and "hostname" not in props
    props = new["properties"]["server"]["properties"]
    assert "description" in props and "hostname" in props
