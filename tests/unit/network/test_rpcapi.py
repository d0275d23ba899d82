"""The network rpcapi sends what the network service it talks to takes:
``held_groups`` (1.3) only when ``[upgrade_levels] network`` allows it,
and then without the members the compute holds; bursts (1.4) only to a
service that takes them, each server's outcome decoded."""

from unittest import mock

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.network import rpcapi


def _allocate(held):
    api = rpcapi.NetworkAPI()
    with mock.patch.object(api.client, "prepare") as prepare:
        api.allocate_for_instance(
            nimbus_context.get_admin_context(), "uuid", "p1", "c-1", [], [],
            "vm", held_groups=held)
    (args, kwargs), = prepare.call_args_list
    call = prepare.return_value.call.call_args
    return kwargs.get("version"), call.kwargs


@pytest.mark.parametrize("pin, version, sent", [
    (None, "1.3", {"remote_groups": True, "held_groups": ["g1", "g2"]}),
    ("1.2", "1.1", {"remote_groups": True}),
    ("1.0", None, {}),
])
def test_held_groups_go_to_a_service_that_takes_them(nimbus_conf, pin,
                                                     version, sent):
    if pin:
        nimbus_conf.set_override("network", pin, "upgrade_levels")
    got_version, kwargs = _allocate(["g2", "g1"])
    assert got_version == version
    assert {k: kwargs[k] for k in ("remote_groups", "held_groups")
            if k in kwargs} == sent


def test_nothing_held_is_the_1_1_call(nimbus_conf):
    version, kwargs = _allocate([])
    assert version == "1.1" and "held_groups" not in kwargs


@pytest.mark.parametrize("pin, bursts", [(None, True), ("1.3", False)])
def test_bursts_go_only_to_a_service_that_takes_them(nimbus_conf, pin,
                                                     bursts):
    if pin:
        nimbus_conf.set_override("network", pin, "upgrade_levels")
    assert rpcapi.NetworkAPI().can_take_bursts() is bursts


def test_a_burst_is_one_1_4_call_with_one_outcome_per_server(nimbus_conf):
    api = rpcapi.NetworkAPI()
    vif = {"id": "port-1"}
    replies = [{"vifs": [vif]},
               {"error": {"type": "NoMoreFixedIps", "message": "full"}},
               {"error": {"type": "GoneInANewerRelease", "message": "?"}}]
    with mock.patch.object(api.client, "prepare") as prepare:
        prepare.return_value.call.return_value = replies
        outcomes = api.allocate_for_instances(
            nimbus_context.get_admin_context(), "c-1",
            [{"instance_uuid": "i1"}, {"instance_uuid": "i2"},
             {"instance_uuid": "i3"}], held_groups={"g2", "g1"})
    assert prepare.call_args.kwargs["version"] == "1.4"
    call = prepare.return_value.call.call_args
    assert call.args[1] == "allocate_for_instances"
    assert call.kwargs["host"] == "c-1"
    assert call.kwargs["held_groups"] == ["g1", "g2"]
    assert call.kwargs["remote_groups"] is True
    assert outcomes[0] == [vif]
    # Each failure comes back as the exception it was (a class this
    # release does not know: a NimbusException), returned, not raised.
    assert isinstance(outcomes[1], exception.NoMoreFixedIps)
    assert str(outcomes[1]) == "full"
    assert type(outcomes[2]) is exception.NimbusException


def test_a_release_burst_returns_none_or_the_failure(nimbus_conf):
    api = rpcapi.NetworkAPI()
    with mock.patch.object(api.client, "prepare") as prepare:
        prepare.return_value.call.return_value = [
            None, {"error": {"type": "PortNotFound", "message": "gone"}}]
        outcomes = api.deallocate_for_instances(
            nimbus_context.get_admin_context(), "c-1", ["i1", "i2"])
    assert prepare.call_args.kwargs["version"] == "1.4"
    assert prepare.return_value.call.call_args.kwargs == {
        "host": "c-1", "instance_uuids": ["i1", "i2"]}
    assert outcomes[0] is None
    assert isinstance(outcomes[1], exception.PortNotFound)
