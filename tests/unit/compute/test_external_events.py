"""Server external events below the API: the compute API answers each
event with its code and casts the handled ones once per host; the
compute manager tells a running guest about a grown volume and records
every event (no database, no RPC: stand-ins)."""

from types import SimpleNamespace
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import api_events, manager_events
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state

A = "6f1d3a52-0000-4000-8000-00000000000a"
B = "6f1d3a52-0000-4000-8000-00000000000b"
NOHOST = "6f1d3a52-0000-4000-8000-00000000000c"
VOL = "0f7c1b2a-1111-4000-8000-000000000001"
GiB = 1024 ** 3


# -- compute API ---------------------------------------------------------------

class _API(api_events.ExternalEventsMixin):
    def __init__(self, can_send=True):
        self.instances = {A: SimpleNamespace(uuid=A, host="h1"),
                          B: SimpleNamespace(uuid=B, host="h2"),
                          NOHOST: SimpleNamespace(uuid=NOHOST, host=None)}
        self.db = mock.Mock()
        self.compute_rpc = mock.Mock()
        self.compute_rpc.can_send_events.return_value = can_send
        self.volumes = mock.Mock()
        self.volumes.attached_volume_ids.return_value = {A: [VOL]}
        self.volumes.get_volume.return_value = {"id": VOL, "size": 3}
        self.capable = True

    def get(self, context, uuid):
        try:
            return self.instances[uuid]
        except KeyError:
            raise exception.InstanceNotFound(instance_id=uuid) from None

    def _check_capable(self, context, instance, action):
        assert action == "extend_volume"
        if not self.capable:
            raise exception.ActionNotSupportedByHost(
                action=action, instance_uuid=instance.uuid,
                host=instance.host, hypervisor="x", capability="y")


def _ev(name, uuid, **extra):
    return dict(name=name, server_uuid=uuid, status="completed", **extra)


def test_each_event_gets_its_code_and_each_host_one_cast():
    api = _API()
    events = [_ev("volume-extended", A, tag=VOL),
              _ev("network-changed", B),
              _ev("network-vif-plugged", "6f1d3a52-0000-4000-8000-0000"),
              _ev("network-changed", NOHOST),
              _ev("volume-extended", A, tag="not-attached"),
              _ev("volume-extended", A)]
    answered = api.external_instance_event("ctx", events)
    assert [(e["code"], e["status"]) for e in answered] == [
        (200, "completed"), (200, "completed"), (404, "failed"),
        (422, "failed"), (422, "failed"), (422, "failed")]
    # What the caller sent comes back with its code only.
    assert answered[0] == dict(events[0], code=200)
    casts = {c.args[1]: c.args[2:] for c in
             api.compute_rpc.external_instance_event.call_args_list}
    assert set(casts) == {"h1", "h2"}
    instances, accepted = casts["h1"]
    assert [i.uuid for i in instances] == [A]
    assert accepted == [dict(events[0], new_size=3 * GiB)]
    assert casts["h2"][1] == [events[1]]
    assert [c.args[1:] for c in api.db.actions.action_start.call_args_list] \
        == [(A, "extend_volume"), (B, "network-changed")]


def test_not_handleable_without_the_capability_or_a_new_enough_rpc():
    api = _API()
    api.capable = False
    assert api.external_instance_event(
        "ctx", [_ev("volume-extended", A, tag=VOL)])[0]["code"] == 422
    pinned = _API(can_send=False)
    assert pinned.external_instance_event(
        "ctx", [_ev("network-changed", A)])[0]["code"] == 422
    pinned.compute_rpc.external_instance_event.assert_not_called()


def test_pinned_below_1_12_the_cast_is_not_sent(nimbus_conf):
    nimbus_conf.set_override("compute", "1.11", "upgrade_levels")
    api = compute_rpcapi.ComputeAPI()
    assert not api.can_send_events()
    with mock.patch.object(api.client, "prepare") as prepare, \
            pytest.raises(exception.UnsupportedOperation):
        api.external_instance_event(None, "h1", [], [])
    prepare.assert_not_called()


# -- compute manager -----------------------------------------------------------

class _Manager(manager_events.ExternalEventsManagerMixin):
    host = "h1"

    def __init__(self, state=power_state.RUNNING):
        self.driver = mock.Mock()
        self.driver.get_info.return_value = hv.GuestInfo(
            uuid=A, power_state=state)


@pytest.fixture
def records():
    with mock.patch.object(manager_events.instance_action,
                           "InstanceActionEvent") as events, \
            mock.patch.object(manager_events.instance_action,
                              "InstanceFault") as faults:
        yield events.record, faults.record


def _recorded(record):
    return [(c.args[1], c.args[2], c.args[4]) for c in
            record.call_args_list]


def test_a_running_guest_learns_the_new_size(records):
    event_record, fault_record = records
    manager = _Manager()
    manager.external_instance_event(
        "ctx", [SimpleNamespace(uuid=A)],
        [_ev("volume-extended", A, tag=VOL, new_size=3 * GiB),
         _ev("network-changed", A)])
    manager.driver.extend_volume.assert_called_once_with(
        A, VOL[:20], 3 * GiB)
    assert _recorded(event_record) == [
        (A, "compute_extend_volume", "Success"),
        (A, "compute_network_changed", "Success")]
    fault_record.assert_not_called()


def test_a_stopped_guest_has_nothing_to_do(records):
    event_record, _faults = records
    manager = _Manager(power_state.SHUTDOWN)
    manager.external_instance_event(
        "ctx", [SimpleNamespace(uuid=A)],
        [_ev("volume-extended", A, tag=VOL, new_size=GiB)])
    manager.driver.extend_volume.assert_not_called()
    assert _recorded(event_record) == [
        (A, "compute_extend_volume", "Success")]


def test_a_failure_is_an_error_event_and_a_fault_and_stops_nothing(records):
    event_record, fault_record = records
    manager = _Manager()
    manager.driver.extend_volume.side_effect = exception.HypervisorError(
        reason="blockResize failed")
    manager.external_instance_event(
        "ctx", [SimpleNamespace(uuid=A)],
        [_ev("volume-extended", A, tag=VOL, new_size=GiB),
         _ev("volume-extended", B, tag=VOL, new_size=GiB),
         _ev("network-vif-deleted", A)])
    assert _recorded(event_record) == [
        (A, "compute_extend_volume", "Error"),
        (A, "compute_network_vif_deleted", "Success")]
    assert "blockResize failed" in fault_record.call_args.args[3]


# -- power-update (2.76) -------------------------------------------------------

def test_power_update_actions_tags_and_a_missing_tag():
    api = _API()
    answered = api.external_instance_event(None, [
        _ev("power-update", A, tag="POWER_OFF"),
        _ev("power-update", B, tag="POWER_ON"),
        _ev("power-update", A),
        _ev("power-update", B, tag="POWER_MAYBE"),
        _ev("power-update", NOHOST, tag="POWER_ON")])
    assert [(e["code"], e["status"]) for e in answered] == [
        (200, "completed"), (200, "completed"), (400, "failed"),
        (200, "completed"), (422, "failed")]
    assert [c.args[1:] for c in api.db.actions.action_start.call_args_list
            ] == [(A, "stop"), (B, "start")]
    sent = {c.args[1]: [e.get("tag") for e in c.args[3]]
            for c in api.compute_rpc.external_instance_event.call_args_list}
    assert sent == {"h1": ["POWER_OFF"], "h2": ["POWER_ON"]}


@pytest.mark.parametrize("tag, vm_state, power, task, result", [
    ("POWER_OFF", "active", power_state.RUNNING, None, "Error"),
    ("POWER_ON", "stopped", power_state.SHUTDOWN, None, "Error"),
    ("POWER_ON", "active", power_state.RUNNING, None, "Success"),
    ("POWER_OFF", "stopped", power_state.SHUTDOWN, None, "Success"),
    ("POWER_OFF", "active", power_state.RUNNING, "rebooting", "Success"),
])
def test_power_update_is_a_no_op_or_fails_on_the_host(
        records, tag, vm_state, power, task, result):
    """Settled in the opposite state, the event would hand the server's
    power to another service, which no nimbus plugin allows (Nova's
    libvirt neither): Error and a fault; otherwise a no-op."""
    event_record, fault_record = records
    manager = _Manager()
    instance = SimpleNamespace(uuid=A, vm_state=vm_state, power_state=power,
                               task_state=task)
    manager.external_instance_event(None, [instance], [
        _ev("power-update", A, tag=tag)])
    assert _recorded(event_record) == [(A, "compute_power_update", result)]
    assert bool(fault_record.call_args_list) is (result == "Error")
    assert not manager.driver.method_calls
