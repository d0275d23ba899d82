"""Every request schema of the dialects is a valid JSON schema.

``nimbus.api.http.check`` does not re-validate a schema against its
metaschema on each request (that cost more CPU than the validation
itself): this is where a broken schema is caught instead.
"""

import importlib
import pkgutil

import jsonschema
import pytest

import nimbus.api

_SCHEMA_KEYS = {"type", "properties", "oneOf", "anyOf", "allOf", "enum",
                "$ref", "items", "pattern"}


def _schemas(value, where, depth=0):
    """(where, schema) pairs of ``value`` and the dicts nested in it,
    down to the schemas (a module constant may be a table of them)."""
    if not isinstance(value, dict) or depth > 2:
        return []
    if _SCHEMA_KEYS & set(value):
        return [(where, value)]
    found = []
    for key, item in value.items():
        found += _schemas(item, f"{where}[{key!r}]", depth + 1)
    return found


def _all_schemas():
    found = []
    for info in pkgutil.walk_packages(nimbus.api.__path__, "nimbus.api."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.isupper() or "schema" in name.lower():
                found += _schemas(value, f"{info.name}.{name}")
    return found


SCHEMAS = _all_schemas()


def test_the_walk_finds_the_request_schemas():
    names = {where for where, _ in SCHEMAS}
    assert "nimbus.api.openstack.schemas.SERVER_ACTION" in names
    assert len(SCHEMAS) > 50


@pytest.mark.parametrize("where,schema", SCHEMAS,
                         ids=[where for where, _ in SCHEMAS])
def test_schema_is_valid(where, schema):
    jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("minor", [1, 32, 37, 42, 47])
def test_server_networks_schema_is_valid_at(minor, monkeypatch):
    from nimbus.api.openstack import common, schemas_network
    monkeypatch.setattr(common, "at_least", lambda m: minor >= m)
    schema = schemas_network.networks()
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_check_reports_what_validate_reports():
    from nimbus.api import http
    schema = {"type": "object", "required": ["a"],
              "properties": {"a": {"type": "integer", "minimum": 1}},
              "additionalProperties": False}
    for bad in ({}, {"a": 0}, {"a": "x"}, {"a": 1, "b": 2}, []):
        with pytest.raises(jsonschema.ValidationError) as mine:
            http.check(bad, schema)
        with pytest.raises(jsonschema.ValidationError) as theirs:
            jsonschema.validate(bad, schema)
        assert mine.value.message == theirs.value.message
    http.check({"a": 3}, schema)
