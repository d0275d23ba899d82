"""Console auth tokens: random, bound to one console, stored hashed,
refused and purged once expired."""

import pytest

from nimbus.core import context, exception
from nimbus.core.compute import api_consoles
from nimbus.core.console import websocketproxy
from nimbus.core.objects import console_auth_token as cat_obj

UUID = "4b9e7c54-3f0a-4d4e-9d6b-0a6a3c2d1e10"


def _authorize(ttl):
    return cat_obj.ConsoleAuthToken.authorize(
        context.get_admin_context(), UUID, "novnc", "127.0.0.1", 5901, ttl)


def test_a_token_opens_its_console_only(db, db_api):
    one, two = _authorize(600), _authorize(600)
    assert one.token != two.token and len(one.token) >= 32
    found = cat_obj.ConsoleAuthToken.validate(context.get_admin_context(),
                                              one.token)
    assert (found.instance_uuid, found.host, found.port,
            found.console_type) == (UUID, "127.0.0.1", 5901, "novnc")
    assert found.token is None
    # Only the hash is stored.
    assert db_api.console_tokens.get_valid(
        context.get_admin_context(), one.token, 0) is None


def test_expired_tokens_are_refused_and_purged(db, db_api):
    ctx = context.get_admin_context()
    expired = _authorize(0)
    with pytest.raises(exception.InvalidConsoleToken):
        cat_obj.ConsoleAuthToken.validate(ctx, expired.token)
    assert db_api.console_tokens.purge_expired(ctx, 2 ** 31 - 1) == 0
    live = _authorize(600)
    with pytest.raises(exception.InvalidConsoleToken):
        cat_obj.ConsoleAuthToken.validate(ctx, "garbage")
    cat_obj.ConsoleAuthToken.clean_for_instance(ctx, UUID)
    with pytest.raises(exception.InvalidConsoleToken):
        cat_obj.ConsoleAuthToken.validate(ctx, live.token)


def test_console_url_carries_the_token_in_novncs_path(nimbus_conf):
    nimbus_conf.set_override("novncproxy_base_url",
                             "https://consoles.example/vnc_lite.html", "vnc")
    url = api_consoles.console_url(nimbus_conf, "t0k")
    assert url == ("https://consoles.example/vnc_lite.html"
                   "?path=%3Ftoken%3Dt0k")
    nimbus_conf.set_override("novncproxy_base_url",
                             "http://h:6080/vnc.html?lang=en", "vnc")
    assert api_consoles.console_url(nimbus_conf, "t").endswith(
        "?lang=en&path=%3Ftoken%3Dt")


@pytest.mark.parametrize("path,cookie,token", [
    ("/?token=abc", None, "abc"),
    ("/websockify?token=abc&x=1", "token=other", "abc"),
    ("/", "token=fromcookie; other=1", "fromcookie"),
    ("/", None, None),
    ("/", "garbage;;=", None),
])
def test_the_proxy_reads_the_token_from_query_or_cookie(path, cookie, token):
    assert websocketproxy.token_of(path, cookie) == token


def test_the_proxy_without_a_database_asks_conductor(monkeypatch):
    """As in nimbus-novncproxy (``bootstrap.forbid_database``): the
    token check runs on conductor, never on a database here."""
    from nimbus.core.objects import base as objects_base
    calls = []

    class Conductor:
        def object_class_action_versions(self, context, objname, objmethod,
                                         versions, args, kwargs):
            calls.append((objname, objmethod, args))
            raise exception.InvalidConsoleToken()

    monkeypatch.setattr(objects_base.NimbusObject, "db_api", None)
    monkeypatch.setattr(objects_base.NimbusObject, "indirection_api",
                        Conductor())
    with pytest.raises(exception.InvalidConsoleToken):
        cat_obj.ConsoleAuthToken.validate(context.get_admin_context(), "t")
    assert calls == [("ConsoleAuthToken", "validate", ("t",))]


@pytest.mark.parametrize("origin,host,allowed", [
    (None, "127.0.0.1:6080", True),
    ("http://127.0.0.1:6080", "127.0.0.1:6080", True),
    ("https://consoles.example", "10.0.0.5:6080", True),
    ("http://evil.example", "127.0.0.1:6080", False),
    ("null", "127.0.0.1:6080", False),
])
def test_the_proxy_refuses_other_sites_pages(origin, host, allowed):
    assert websocketproxy.origin_allowed(
        origin, host, "https://consoles.example/vnc_auto.html") is allowed
