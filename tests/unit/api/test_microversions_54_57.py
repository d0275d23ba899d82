"""The compute dialect's paths for 2.54-2.57 without a server: rebuild's
key_name and user_data, flavor descriptions, migrate's host and the
file injection quotas, each checked below and at its microversion (the
request helpers replaced, the core services mocks)."""

from unittest import mock

import pytest

from nimbus.api import http
from nimbus.api.openstack import (
    common,
    schemas,
    schemas_image_actions,
    schemas_tenant,
)
from nimbus.api.openstack.controllers import (
    flavors,
    quotas,
    server_actions,
    server_image_actions,
    servers,
)
from nimbus.api.openstack.views import flavors as flavor_view
from nimbus.core import exception

BASE = {"id": "s1", "name": "vm", "status": "REBUILD"}


@pytest.fixture
def at(monkeypatch):
    """``at(minor)``: the request asks for 2.``minor``."""
    def ask(minor):
        monkeypatch.setattr(common, "version", lambda: (2, minor))
    monkeypatch.setattr(common, "link", lambda kind, ident: [])
    monkeypatch.setattr(common, "reply",
                        lambda body=None, status=200, headers=None:
                        (body, status))
    monkeypatch.setattr(common, "context", lambda: "ctx")
    return ask


@pytest.fixture
def services(monkeypatch):
    found = mock.Mock()
    monkeypatch.setattr(common, "services", lambda: found)
    return found


# -- rebuild (2.54, 2.57) ---------------------------------------------------

@pytest.mark.parametrize("args, minor, ok", [
    ({"key_name": "k"}, 53, False),
    ({"key_name": "k"}, 54, True),
    ({"key_name": None}, 54, True),
    ({"user_data": "dXNlcg=="}, 56, False),
    ({"user_data": "dXNlcg=="}, 57, True),
    ({"user_data": None}, 57, True),
    ({"personality": [{"path": "/a", "contents": "YQ=="}]}, 57, False),
])
def test_rebuild_arguments_follow_the_microversion(args, minor, ok):
    args = dict(args, imageRef="x")
    if ok:
        schemas_image_actions.check("rebuild", args, minor)
    else:
        with pytest.raises(exception.ValidationError) as err:
            schemas_image_actions.check("rebuild", args, minor)
        assert "was unexpected" in err.value.message


@pytest.mark.parametrize("field, value", [
    ("key_name", ""), ("key_name", "k" * 256), ("key_name", 7),
    ("user_data", "not base64!"), ("user_data", "QUJD" * 16384),
    ("user_data", 7),
])
def test_bad_rebuild_values_are_400s(field, value):
    with pytest.raises(exception.ValidationError) as err:
        http.validate({"rebuild": {"imageRef": "x", field: value}},
                      schemas.SERVER_ACTION)
    assert err.value.code == 400 and field in err.value.message


@pytest.mark.parametrize("minor, given, keys", [
    (53, {}, set()),
    (54, {"key_name": None}, {"key_name"}),
    (57, {"key_name": "k", "user_data": "dXNlcg=="},
     {"key_name", "user_data"}),
    (57, {}, {"key_name", "user_data"}),
])
def test_rebuild_passes_what_was_given_and_answers_novas_shape(
        at, services, monkeypatch, minor, given, keys):
    at(minor)
    instance = mock.Mock(uuid="s1", key_name="k", user_data="dXNlcg==")
    services.compute.rebuild.return_value = (instance, "pw")
    # the update's body carries the tags (2.26, servers.updated_body)
    monkeypatch.setattr(servers, "updated_body",
                        lambda inst: dict(BASE, tags=["t"]))
    body, status = server_image_actions.handle(
        "rebuild", dict(given, imageRef="img"), instance)
    assert status == 202
    call = services.compute.rebuild.call_args
    assert {k: v for k, v in call.kwargs.items()
            if k in ("key_name", "user_data")} == given
    server = body["server"]
    assert set(server) == set(BASE) | {"adminPass", "tags"} | keys
    assert server["adminPass"] == "pw" and server["tags"] == ["t"]
    if keys:
        assert server["key_name"] == "k"
    if "user_data" in keys:
        assert server["user_data"] == "dXNlcg=="


# -- flavor description (2.55) ----------------------------------------------

_FLAVOR = {"name": "f", "ram": 64, "vcpus": 1, "disk": 1}


@pytest.mark.parametrize("minor, description, ok", [
    (54, "d", False), (55, "d", True), (55, None, True), (55, "", True),
    (55, "x" * 65535, True), (55, "x" * 65536, False),
    (55, "bad\x00byte", False), (55, 7, False),
])
def test_flavor_description_at_create(minor, description, ok):
    schema = schemas.flavor_create(lambda m: minor >= m)
    body = {"flavor": dict(_FLAVOR, description=description)}
    if ok:
        http.validate(body, schema)
    else:
        with pytest.raises(exception.ValidationError):
            http.validate(body, schema)
    http.validate({"flavor": _FLAVOR}, schema)


@pytest.mark.parametrize("body", [
    {"flavor": {}}, {"flavor": {"description": "d", "name": "n"}},
    {"flavor": {"description": "x" * 65536}}, {"description": "d"},
    {"flavor": {"description": "line\nbreak"}},
])
def test_flavor_update_takes_only_a_description(body):
    with pytest.raises(exception.ValidationError):
        http.validate(body, schemas.FLAVOR_UPDATE)


@pytest.mark.parametrize("minor", [54, 55])
def test_flavor_bodies_show_the_description_from_2_55(at, minor):
    at(minor)
    flavor = mock.Mock(flavorid="1", description="small", swap=0)
    for body in (flavor_view.basic(flavor), flavor_view.detail(flavor)):
        assert ("description" in body) is (minor >= 55)
        if minor >= 55:
            assert body["description"] == "small"


def test_flavor_update_is_no_route_below_2_55(at, services, monkeypatch):
    at(54)
    monkeypatch.setattr(common, "body", mock.Mock())
    with pytest.raises(exception.NotFound):
        flavors.FlavorController("1").update()
    common.body.assert_not_called()
    services.admin.update_flavor_description.assert_not_called()


def test_flavor_update_checks_policy_after_the_body(at, services,
                                                   monkeypatch):
    at(55)
    order = []
    monkeypatch.setattr(common, "body", lambda schema: order.append(
        schema) or {"flavor": {"description": None}})
    monkeypatch.setattr(common, "authorize", order.append)
    services.admin.update_flavor_description.return_value = mock.Mock(
        flavorid="1", description=None, swap=0)
    body, status = flavors.FlavorController("1").update()
    assert order == [schemas.FLAVOR_UPDATE,
                     "os_compute_api:os-flavor-manage:update"]
    services.admin.update_flavor_description.assert_called_once_with(
        "ctx", "1", None)
    assert status == 200 and body["flavor"]["description"] is None


# -- migrate host (2.56) ----------------------------------------------------

def test_migrate_host_only_from_2_56(at):
    compute = mock.Mock()
    at(55)
    with pytest.raises(exception.ValidationError) as err:
        server_actions._move("ctx", compute, "s1", "migrate",
                             {"host": "fake-2"})
    assert "2.56" in err.value.message
    server_actions._move("ctx", compute, "s1", "migrate", None)
    compute.migrate.assert_called_once_with("ctx", "s1", host=None)
    at(56)
    server_actions._move("ctx", compute, "s1", "migrate",
                         {"host": "fake-2"})
    compute.migrate.assert_called_with("ctx", "s1", host="fake-2")


@pytest.mark.parametrize("host", ["", "a b", "h" * 256, 7])
def test_bad_migrate_hosts_are_400s(host):
    with pytest.raises(exception.ValidationError):
        http.validate({"migrate": {"host": host}}, schemas.SERVER_ACTION)


# -- file injection quotas (2.57) -------------------------------------------

def test_file_quotas_leave_quota_sets_at_2_57(at):
    at(56)
    assert set(schemas_tenant.FILE_QUOTA_KEYS) <= set(quotas._keys())
    at(57)
    keys = quotas._keys()
    assert not set(schemas_tenant.FILE_QUOTA_KEYS) & set(keys)
    schema = schemas_tenant.quota_update(keys)
    http.validate({"quota_set": {"instances": 3, "force": True}}, schema)
    for key in schemas_tenant.FILE_QUOTA_KEYS:
        with pytest.raises(exception.ValidationError):
            http.validate({"quota_set": {key: 3}}, schema)
    assert not set(schemas_tenant.FILE_QUOTA_KEYS) & set(
        schemas_tenant.QUOTA_CLASS_KEYS_2_57)
