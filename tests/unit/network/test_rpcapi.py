"""The network rpcapi sends what the network service it talks to takes:
``held_groups`` (1.3) only when ``[upgrade_levels] network`` allows it,
and then without the members the compute holds."""

from unittest import mock

import pytest

from nimbus.core import context as nimbus_context
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
