"""Auth strategies' wiring and the Fernet token format."""

import os
import stat
import time

import pytest
import webob

from nimbus.api import auth
from nimbus.api.auth import keystone
from nimbus.core import exception
from nimbus.core.identity import passwords, tokens


def test_keystone_strategy_wraps_app_in_auth_token(nimbus_conf):
    from keystonemiddleware import auth_token
    nimbus_conf.set_override("auth_strategy", "keystone", "api")
    wrapped = auth.wrap_app(nimbus_conf, lambda env, start: [])
    assert isinstance(wrapped, auth_token.AuthProtocol)
    assert wrapped._delay_auth_decision


def test_keystone_strategy_challenge_names_keystone_only(nimbus_conf):
    nimbus_conf.set_override("auth_strategy", "keystone", "api")

    def app(environ, start_response):
        start_response("401 Unauthorized", [
            ("WWW-Authenticate", "Keystone uri='nimbus'")])
        return [b"{}"]
    auth.wrap_app(nimbus_conf, app)  # registers [keystone_authtoken]
    nimbus_conf.set_override("www_authenticate_uri",
                             "http://127.0.0.1:5000/v3",
                             "keystone_authtoken")
    response = webob.Request.blank("/v2.1/servers").get_response(
        auth.wrap_app(nimbus_conf, app))
    assert response.status_int == 401
    assert response.headers.getall("WWW-Authenticate") == \
        ['Keystone uri="http://127.0.0.1:5000/v3"']


def test_keystone_strategy_reads_confirmed_headers(nimbus_conf):
    request = webob.Request.blank("/v2.1/servers", headers={
        "X-Identity-Status": "Confirmed", "X-User-Id": "u1",
        "X-Project-Id": "p1", "X-Roles": "reader, member"})
    ctx = keystone.authenticate(nimbus_conf, request)
    assert (ctx.user_id, ctx.project_id) == ("u1", "p1")
    assert ctx.roles == ["reader", "member"] and not ctx.is_admin
    request.headers["X-Identity-Status"] = "Invalid"
    with pytest.raises(exception.Unauthenticated):
        keystone.authenticate(nimbus_conf, request)


def test_tokens_round_trip_expire_and_resist_forgery(nimbus_conf,
                                                     monkeypatch):
    formatter = tokens.TokenFormatter(nimbus_conf)
    token, payload = formatter.issue("u1", "p1", ["password"])
    assert formatter.open(token)["u"] == "u1"
    key_dir = tokens.key_repository(nimbus_conf)
    assert stat.S_IMODE(os.stat(key_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(key_dir, "0")).st_mode) == \
        0o600
    with pytest.raises(tokens.InvalidToken):
        formatter.open(token[:-3] + "abc")
    later = time.time() + nimbus_conf.identity.token_expiration + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(tokens.InvalidToken):
        formatter.open(token)


def test_passwords_are_bcrypt_and_checked():
    hashed = passwords.hash_password("x" * 100, rounds=4)
    assert hashed.startswith("$2b$04$")
    assert passwords.check_password("x" * 100, hashed)
    assert not passwords.check_password("x" * 99 + "y", hashed)
    assert not passwords.check_password("x", None)
