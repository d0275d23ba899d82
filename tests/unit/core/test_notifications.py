"""Versioned notifications: payloads in Nova's envelope, what the compute
manager and ``Instance.save`` send (through oslo.messaging's in-memory
``test`` driver), and nothing at all without a driver."""

from unittest import mock

import pytest
from oslo_messaging.notify import _impl_test
from oslo_versionedobjects import fixture as ovo_fixture

from nimbus.core import notifications
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.notifications import base, payloads
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf

# Payload fingerprints: a change to a payload's fields must bump its
# VERSION (and its history), since consumers parse by version.
EXPECTED_FINGERPRINTS = {
    "ExceptionPayload": "1.0-96f178a12691e3ef0d8e3188fc481b90",
    "FlavorPayload": "1.0-96c63377fac031f4dd0a28f346786232",
    "InstanceActionPayload": "1.0-43ea68a2c013d54eb7ffece3a71914ab",
    "InstancePayload": "1.0-c81a0bdedb7ebfe152bcca4df73a7b0d",
    "InstanceStateUpdatePayload": "1.0-a934d04e1b314318e42e8062647edd11",
    "InstanceUpdatePayload": "1.0-5f87d27880db11c3f9cb7b42804aaf46",
}


def _enable(conf, state_change=None):
    base.notifier()  # registers [oslo_messaging_notifications]
    conf.set_override("driver", ["test"],
                      group="oslo_messaging_notifications")
    conf.set_override("notify_on_state_change", state_change,
                      group="notifications")
    notifications.reset()
    _impl_test.reset()


@pytest.fixture
def sent(nimbus_conf):
    """Notifications on, ``vm_and_task_state``; yields a function that
    returns ``[(event_type, priority, publisher_id, payload data)]``."""
    _enable(nimbus_conf, "vm_and_task_state")
    yield lambda: [(m["event_type"], m["priority"], m["publisher_id"],
                    m["payload"]["nova_object.data"])
                   for _ctx, m, _prio, _retry in _impl_test.NOTIFICATIONS]
    notifications.reset()
    _impl_test.reset()


@pytest.fixture
def compute(db_api, nimbus_conf, sent):
    nimbus_conf.set_override("backend", "fake", group="images")
    manager = compute_manager.ComputeManager(
        nimbus_conf, wf.HOST, driver=fake_driver.FakeDriver(nimbus_conf,
                                                            wf.HOST))
    manager._conductor = mock.Mock()
    return manager


def _raise():
    raise ValueError("no such thing")


def _error():
    try:
        _raise()
    except ValueError as err:
        return err


def test_payload_is_in_novas_envelope(db_api):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, flavor_id="1", flavor_name="m1.tiny",
                                  extra_specs='{"hw:cpu_policy": "shared"}')
    payload = payloads.InstanceActionPayload(
        ctx, instance, fault=payloads.ExceptionPayload.from_exception(
            _error()))
    payload.obj_reset_changes(recursive=True)
    primitive = payload.obj_to_primitive()

    assert {k: v for k, v in primitive.items() if k != "nova_object.data"} \
        == {"nova_object.name": "InstanceActionPayload",
            "nova_object.namespace": "nimbus",
            "nova_object.version": "1.0"}
    data = primitive["nova_object.data"]
    assert (data["uuid"], data["tenant_id"], data["host"], data["state"],
            data["task_state"], data["request_id"]) == \
        (instance.uuid, ctx.project_id, wf.HOST, vs.BUILDING,
         ts.SCHEDULING, ctx.request_id)
    flavor = data["flavor"]
    assert flavor["nova_object.name"] == "FlavorPayload"
    assert flavor["nova_object.data"] == {
        "flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 512,
        "root_gb": 1, "ephemeral_gb": 0, "swap": 0,
        "extra_specs": {"hw:cpu_policy": "shared"}}
    fault = data["fault"]["nova_object.data"]
    assert (fault["module_name"], fault["function_name"],
            fault["exception"], fault["exception_message"]) == \
        (__name__, "_raise", "ValueError", "no such thing")
    assert "in _raise" in fault["traceback"]


def test_payload_versions_match_their_fields():
    checker = ovo_fixture.ObjectVersionChecker({
        name: classes for name, classes in
        base.NotificationObjectRegistry.obj_classes().items()
        if issubclass(classes[0], base.NotificationPayloadBase)})
    expected, actual = checker.test_hashes(EXPECTED_FINGERPRINTS)
    assert expected == actual


def test_nothing_is_sent_or_built_without_a_driver(db_api, nimbus_conf):
    notifications.reset()
    _impl_test.reset()
    instance = wf.create_instance(wf.user_context())
    with mock.patch.object(payloads, "InstanceActionPayload") as build:
        notifications.notify(wf.user_context(), instance, "create", "start",
                             wf.HOST)
    build.assert_not_called()
    assert _impl_test.NOTIFICATIONS == []


def test_build_and_delete_send_start_and_end_from_the_compute(compute,
                                                              sent):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    compute.terminate_instance(ctx, instance)

    actions = [(e, p, pub, d["state"]) for e, p, pub, d in sent()
               if e != "instance.update"]
    publisher = f"nimbus-compute:{wf.HOST}"
    assert actions == [
        ("instance.create.start", "INFO", publisher, vs.BUILDING),
        ("instance.create.end", "INFO", publisher, vs.ACTIVE),
        ("instance.delete.start", "INFO", publisher, vs.ACTIVE),
        ("instance.delete.end", "INFO", publisher, vs.DELETED),
    ]
    end = [d for e, _p, _pub, d in sent() if e == "instance.delete.end"][0]
    assert end["terminated_at"] is not None


def test_failed_build_sends_create_error_with_the_exception(compute, sent,
                                                            nimbus_conf):
    nimbus_conf.set_override("fail_hosts", [wf.HOST], group="fake")
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])

    error = [(p, d) for e, p, _pub, d in sent()
             if e == "instance.create.error"]
    assert len(error) == 1
    priority, data = error[0]
    fault = data["fault"]["nova_object.data"]
    assert priority == "ERROR"
    assert (fault["exception"], fault["function_name"]) == \
        ("HypervisorError", "_act")
    assert fault["module_name"] == fake_driver.__name__
    assert "injected spawn failure" in fault["exception_message"]


def test_power_actions_and_reboot_send_start_and_end(compute, sent):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    for task, call in ((ts.POWERING_OFF, compute.stop_instance),
                       (ts.POWERING_ON, compute.start_instance)):
        instance.task_state = task
        instance.save()
        call(ctx, instance)
    instance.task_state = ts.REBOOTING
    instance.save()
    compute.reboot_instance(ctx, instance, "SOFT")

    events = [e for e, *_ in sent() if e.split(".")[1] in
              ("power_off", "power_on", "reboot")]
    assert events == ["instance.power_off.start", "instance.power_off.end",
                      "instance.power_on.start", "instance.power_on.end",
                      "instance.reboot.start", "instance.reboot.end"]


def test_save_sends_update_with_old_and_new_states(db_api, sent):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    instance.vm_state = vs.ACTIVE
    instance.task_state = None
    instance.save(expected_task_state=ts.SCHEDULING)
    instance.display_name = "renamed"
    instance.save()  # no state change: nothing

    (event, priority, publisher, data), = sent()
    assert (event, priority, publisher) == \
        ("instance.update", "INFO", "nimbus-test:test-host")
    assert data["state_update"]["nova_object.data"] == {
        "old_state": vs.BUILDING, "state": vs.ACTIVE,
        "old_task_state": ts.SCHEDULING, "new_task_state": None}
    assert data["uuid"] == instance.uuid


def test_vm_state_level_ignores_task_state_changes(db_api, nimbus_conf):
    _enable(nimbus_conf, "vm_state")
    instance = wf.create_instance(wf.user_context())
    instance.task_state = ts.SPAWNING
    instance.save()
    assert _impl_test.NOTIFICATIONS == []
    instance.vm_state = vs.ACTIVE
    instance.save()
    assert [m["event_type"] for _c, m, _p, _r in _impl_test.NOTIFICATIONS] \
        == ["instance.update"]
    notifications.reset()


def test_failed_power_off_sends_error_and_no_end(compute, sent,
                                                 nimbus_conf):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    nimbus_conf.set_override("fail_hosts", [wf.HOST], group="fake")
    nimbus_conf.set_override("fail_ops", ["power_off"], group="fake")
    instance.task_state = ts.POWERING_OFF
    instance.save()
    compute.stop_instance(ctx, instance)

    power = [(e, p, d) for e, p, _pub, d in sent() if "power_off" in e]
    assert [(e, p) for e, p, _d in power] == [
        ("instance.power_off.start", "INFO"),
        ("instance.power_off.error", "ERROR")]
    error = power[1][2]
    assert (error["state"], error["task_state"]) == (vs.ACTIVE, None)
    assert error["fault"]["nova_object.data"]["exception_message"] == \
        f"Hypervisor operation failed: injected power_off failure on " \
        f"{wf.HOST}"
