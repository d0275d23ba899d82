"""ComputeAPI.attach_interface / detach_interface: Nova's state, lock and
capability checks before anything is recorded or sent, then one call to
the instance's compute host (a mock here)."""

import dataclasses
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import api as compute_api
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.core.interfaces import hypervisor as hv
from tests.unit import workflow_fakes as wf

NET = "6a7f1d8e-2b3c-4d5e-8f90-123456789abc"
PORT = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def api(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    service = compute_api.ComputeAPI(nimbus_conf, db_api)
    service._compute = mock.Mock()
    service._conductor = mock.Mock()
    return service


def _actions(uuid):
    return [a["action"] for a in db.actions.actions_for(wf.admin(), uuid)]


@pytest.mark.parametrize("vm_state", [vs.ACTIVE, vs.PAUSED, vs.STOPPED])
def test_attach_calls_the_host_and_records_the_action(api, vm_state):
    ctx = wf.user_context()
    wf.report_node()
    instance = wf.create_instance(ctx, vm_state=vm_state, task_state=None,
                                  action=None)
    api.compute_rpc.attach_interface.return_value = {"id": PORT}
    vif = api.attach_interface(ctx, instance.uuid, network_id=NET,
                               fixed_ip="10.0.0.9")
    assert vif == {"id": PORT}
    (_ctx, called), kwargs = api.compute_rpc.attach_interface.call_args
    assert called.uuid == instance.uuid
    assert kwargs == {"network_id": NET, "port_id": None,
                      "fixed_ip": "10.0.0.9"}
    assert _actions(instance.uuid) == ["attach_interface"]


def test_detach_calls_the_host(api):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                                  action=None)
    api.detach_interface(ctx, instance.uuid, PORT)
    (_ctx, called, port), _ = api.compute_rpc.detach_interface.call_args
    assert (called.uuid, port) == (instance.uuid, PORT)
    assert _actions(instance.uuid) == ["detach_interface"]


@pytest.mark.parametrize("vm_state, task_state", [
    (vs.SUSPENDED, None), (vs.ERROR, None), (vs.BUILDING, ts.SPAWNING),
    (vs.ACTIVE, ts.REBOOTING)])
def test_wrong_state_is_409_and_nothing_happens(api, vm_state, task_state):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vm_state,
                                  task_state=task_state, action=None)
    for call in (lambda: api.attach_interface(ctx, instance.uuid),
                 lambda: api.detach_interface(ctx, instance.uuid, PORT)):
        with pytest.raises(exception.InstanceInvalidState) as err:
            call()
        assert err.value.code == 409
    assert api.compute_rpc.method_calls == []
    assert _actions(instance.uuid) == []


def test_locked_server_is_refused_to_its_owner(api):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                                  action=None, locked=True)
    with pytest.raises(exception.Conflict, match="locked"):
        api.attach_interface(ctx, instance.uuid)
    assert api.compute_rpc.method_calls == []


def test_host_without_vif_hotplug_is_refused(api):
    ctx = wf.user_context()
    wf.report_node(capabilities=dataclasses.asdict(
        hv.Capabilities(vif_hotplug=False)))
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                                  action=None)
    with pytest.raises(exception.ActionNotSupportedByHost) as err:
        api.attach_interface(ctx, instance.uuid, network_id=NET)
    assert "does not support vif_hotplug" in str(err.value)
    assert api.compute_rpc.method_calls == []
    assert _actions(instance.uuid) == []


def test_other_projects_server_is_not_found(api):
    instance = wf.create_instance(wf.user_context(), vm_state=vs.ACTIVE,
                                  task_state=None, action=None)
    with pytest.raises(exception.InstanceNotFound):
        api.attach_interface(wf.user_context(project_id="p2"),
                             instance.uuid)
    assert api.compute_rpc.method_calls == []


def _spy_sends(client):
    """Replace the client's sending ``prepare`` (the one naming a server)
    by a mock; ``can_send_version`` keeps the real one."""
    real = client.client.prepare
    sent = mock.Mock()

    def prepare(**kwargs):
        if "server" not in kwargs:
            return real(**kwargs)
        sent.prepare(**kwargs)
        return sent
    client.client.prepare = prepare
    return sent


def test_rpc_pinned_below_1_2_refuses_hotplug(nimbus_conf):
    nimbus_conf.set_override("compute", "1.1", group="upgrade_levels")
    client = compute_rpcapi.ComputeAPI()
    sent = _spy_sends(client)
    instance = mock.Mock(host="fake-1", uuid="u")
    with pytest.raises(exception.Conflict, match="needs compute RPC"):
        client.attach_interface(wf.admin(), instance, network_id=NET)
    with pytest.raises(exception.Conflict, match="needs compute RPC"):
        client.detach_interface(wf.admin(), instance, PORT)
    assert sent.method_calls == []


def test_rpc_sends_1_2_calls(nimbus_conf):
    client = compute_rpcapi.ComputeAPI()
    sent = _spy_sends(client)
    instance = mock.Mock(host="fake-1", uuid="u")
    client.attach_interface(wf.admin(), instance, port_id=PORT)
    client.detach_interface(wf.admin(), instance, PORT)
    for call in sent.prepare.call_args_list:
        assert call.kwargs["server"] == "fake-1"
        assert call.kwargs["version"] == "1.2"
    assert [c.args[1] for c in sent.call.call_args_list] == [
        "attach_interface", "detach_interface"]
