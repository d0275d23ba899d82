"""ComputeAPI: rebuild's key pair (2.54) and user data (2.57), and cold
migration to a named host (2.56): what is written before the cast, and
that a refused request writes and casts nothing."""

import pytest

from nimbus.core import exception
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from tests.unit import workflow_fakes as wf
from tests.unit.compute.test_api import _action_names, _nothing_cast, api

__all__ = ["api"]

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0new new@host"


def _server(**values):
    ctx = wf.user_context()
    values = dict({"key_name": "old", "key_data": "ssh-rsa AAAA old",
                   "user_data": "b2xk"}, **values)
    return ctx, wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                   task_state=None, action=None,
                                   **values).uuid


def _keypair(user_id=wf.USER, name="new"):
    db.keypairs.create(wf.admin(), {"user_id": user_id, "name": name,
                                    "public_key": KEY,
                                    "fingerprint": "aa:bb", "type": "ssh"})


def _rebuilt(api, uuid):
    [call] = api.compute_rpc.rebuild_instance.call_args_list
    return call.args[1]


def test_rebuild_sets_the_callers_key_pair_and_user_data(api):
    ctx, uuid = _server()
    _keypair()
    api.rebuild(ctx, uuid, api.image_id, key_name="new",
                user_data="bmV3")
    row = wf.load(uuid)
    assert (row["key_name"], row["key_data"], row["user_data"]) == \
        ("new", KEY, "bmV3")
    assert row["task_state"] == ts.REBUILDING
    cast = _rebuilt(api, uuid)
    assert (cast.key_name, cast.key_data, cast.user_data) == \
        ("new", KEY, "bmV3")


def test_rebuild_with_nulls_drops_them_and_without_keeps_them(api):
    ctx, uuid = _server()
    api.rebuild(ctx, uuid, api.image_id)
    row = wf.load(uuid)
    assert (row["key_name"], row["key_data"], row["user_data"]) == \
        ("old", "ssh-rsa AAAA old", "b2xk")
    ctx, uuid = _server()
    api.rebuild(ctx, uuid, api.image_id, key_name=None, user_data=None)
    row = wf.load(uuid)
    assert (row["key_name"], row["key_data"], row["user_data"]) == \
        (None, None, None)


@pytest.mark.parametrize("owner", [wf.USER, "somebody-else"])
def test_rebuild_with_a_key_the_caller_lacks_is_a_400_and_no_change(
        api, owner):
    """The key pair is the caller's: one of another user's (even of
    the same name) is unknown, as in Nova."""
    ctx, uuid = _server()
    if owner != wf.USER:
        _keypair(user_id=owner)
    with pytest.raises(exception.Invalid) as err:
        api.rebuild(ctx, uuid, api.image_id, key_name="new",
                    user_data="bmV3", name="renamed")
    assert err.value.code == 400
    assert "Invalid key_name provided" in err.value.message
    row = wf.load(uuid)
    assert (row["key_name"], row["user_data"], row["task_state"]) == \
        ("old", "b2xk", None)
    assert row["display_name"] != "renamed"
    assert _action_names(uuid) == []
    _nothing_cast(api)


def test_migrate_to_a_named_host_casts_it(api):
    wf.report_node(wf.OTHER_HOST)
    ctx, uuid = _server()
    api.migrate(ctx, uuid, host=wf.OTHER_HOST)
    assert wf.load(uuid)["task_state"] == ts.RESIZE_PREP
    [call] = api.conductor_rpc.migrate_server.call_args_list
    assert call.kwargs["host"] == wf.OTHER_HOST
    assert _action_names(uuid) == ["migrate"]


@pytest.mark.parametrize("host, message", [
    (wf.HOST, "Cannot migrate to the host where the server exists."),
    ("nowhere", "Compute host nowhere could not be found."),
])
def test_migrate_to_its_own_or_an_unknown_host_is_a_400(api, host,
                                                        message):
    wf.report_node(wf.HOST)
    ctx, uuid = _server()
    with pytest.raises(exception.Invalid) as err:
        api.migrate(ctx, uuid, host=host)
    assert (err.value.code, err.value.message) == (400, message)
    assert wf.load(uuid)["task_state"] is None
    assert _action_names(uuid) == []
    _nothing_cast(api)
