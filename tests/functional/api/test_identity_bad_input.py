"""Malformed token requests get Keystone's 400 body, never a 500."""

import pytest
import requests


def _password(user):
    return {"user": user}


@pytest.mark.parametrize("identity", [
    # a method listed without its section
    {"methods": ["password"]},
    {"methods": ["token"]},
    {"methods": ["password", "token"], "password": _password(
        {"name": "admin", "domain": {"name": "Default"}, "password": "x"})},
    # wrong types
    {"methods": ["password"], "password": _password(
        {"name": "admin", "domain": {"name": "Default"}, "password": 5})},
    {"methods": ["password"], "password": _password(
        {"name": ["admin"], "password": "x"})},
    {"methods": ["password"], "password": _password(
        {"name": "admin", "domain": "Default", "password": "x"})},
    {"methods": ["token"], "token": {"id": 7}},
    # a user named by neither id nor name; control characters
    {"methods": ["password"], "password": _password({"password": "x"})},
    {"methods": ["password"], "password": _password(
        {"name": "ad\x00min", "password": "x"})},
    {"methods": ["sso"]},
    {"methods": []},
])
def test_malformed_identity_is_400(stack, identity):
    resp = requests.post(stack.url + "/identity/v3/auth/tokens",
                         json={"auth": {"identity": identity}}, timeout=5)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == 400 and error["message"]
    assert "Traceback" not in resp.text


@pytest.mark.parametrize("scope", [
    {"project": {"id": 5}},
    {"project": {"name": "admin", "domain": "Default"}},
    5,
])
def test_malformed_scope_is_400(stack, scope):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "admin", "domain": {"name": "Default"},
                 "password": "x"}}}, "scope": scope}}
    resp = requests.post(stack.url + "/identity/v3/auth/tokens", json=body,
                         timeout=5)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == 400
