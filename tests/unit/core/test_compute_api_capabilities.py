"""The compute API checks the host's capabilities before it records or
casts an action; hosts that reported none (older computes) pass."""

import dataclasses
import logging
import uuid
from unittest import mock

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.compute import api as compute_api
from nimbus.core.compute import task_states, vm_states
from nimbus.core.db import api as db_api
from nimbus.core.interfaces import hypervisor as hv


@pytest.fixture
def env(db):
    api = compute_api.ComputeAPI(db, db_api)
    api._compute = mock.Mock()
    ctx = nimbus_context.RequestContext(user_id="u", project_id="p")
    return api, ctx


def _node(host, capabilities=None):
    values = {"hypervisor_type": "fake", "hypervisor_version": 1,
              "vcpus": 4, "memory_mb": 4096, "local_gb": 100}
    if capabilities is not None:
        values["capabilities"] = capabilities
    db_api.compute_nodes.report_inventory(
        nimbus_context.get_admin_context(), host, host, values)


def _server(host):
    row = {"uuid": str(uuid.uuid4()), "project_id": "p", "user_id": "u",
           "vm_state": vm_states.ACTIVE, "task_state": None,
           "host": host, "node": host}
    return db_api.instances.create(nimbus_context.get_admin_context(),
                                   row)["uuid"]


def _actions(uuid_):
    return db_api.actions.actions_for(nimbus_context.get_admin_context(),
                                      uuid_)


def test_every_mapped_capability_is_a_capabilities_field():
    fields = {f.name for f in dataclasses.fields(hv.Capabilities)}
    assert set(compute_api._CAPABILITY_FOR.values()) <= fields


def test_refused_before_anything_is_recorded_or_cast(env):
    api, ctx = env
    caps = dataclasses.asdict(hv.Capabilities(pause=False, suspend=True))
    _node("h1", caps)
    uuid_ = _server("h1")
    with pytest.raises(exception.ActionNotSupportedByHost) as err:
        api.pause(ctx, uuid_)
    assert err.value.code == 409
    assert str(err.value) == (
        f"Cannot 'pause' instance {uuid_}: the hypervisor of host h1 "
        f"(fake) does not support pause.")
    assert api.get(ctx, uuid_).task_state is None
    assert _actions(uuid_) == []
    api.compute_rpc.pause_instance.assert_not_called()
    api.suspend(ctx, uuid_)
    api.compute_rpc.suspend_instance.assert_called_once()


def test_soft_reboot_refused_hard_reboot_accepted(env):
    api, ctx = env
    _node("h1", dataclasses.asdict(hv.Capabilities(soft_reboot=False)))
    uuid_ = _server("h1")
    with pytest.raises(exception.ActionNotSupportedByHost,
                       match="does not support soft_reboot"):
        api.reboot(ctx, uuid_, hv.REBOOT_SOFT)
    api.compute_rpc.reboot_instance.assert_not_called()
    api.reboot(ctx, uuid_, hv.REBOOT_HARD)
    assert api.get(ctx, uuid_).task_state == task_states.REBOOTING_HARD
    api.compute_rpc.reboot_instance.assert_called_once()


def test_host_without_reported_capabilities_is_capable(env, caplog):
    api, ctx = env
    _node("old")
    uuid_ = _server("old")
    with caplog.at_level(logging.DEBUG, logger=compute_api.__name__):
        api.pause(ctx, uuid_)
    api.compute_rpc.pause_instance.assert_called_once()
    assert "Host old reported no capabilities" in caplog.text


def test_capability_unknown_to_the_host_is_assumed(env):
    api, ctx = env
    _node("h1", {"pause": True})
    uuid_ = _server("h1")
    api.get_console_output(ctx, uuid_)
    api.compute_rpc.get_console_output.assert_called_once()


def test_unmapped_actions_read_no_capabilities(env):
    api, ctx = env
    uuid_ = _server("h1")
    with mock.patch.object(db_api.compute_nodes,
                           "get_capabilities") as read:
        api.stop(ctx, uuid_)
    read.assert_not_called()
    api.compute_rpc.stop_instance.assert_called_once()
