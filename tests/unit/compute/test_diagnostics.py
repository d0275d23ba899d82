"""Server diagnostics below the API: the compute manager asks the
hypervisor whether the guest runs before reading it (Nova's 409
otherwise), and a client pinned below RPC 1.11 never sends the call."""

from types import SimpleNamespace
from unittest import mock

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.compute import manager_diagnostics
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state

UUID = "6f1d3a52-0000-4000-8000-000000000003"


class _Manager(manager_diagnostics.DiagnosticsManagerMixin):
    def __init__(self, state):
        self.driver = mock.Mock()
        self.driver.get_info.return_value = hv.GuestInfo(
            uuid=UUID, power_state=state)
        self.driver.get_diagnostics.return_value = hv.GuestDiagnostics(
            power_state=state, driver="fake",
            cpus=[hv.CpuDiagnostics(id=0, time=5)], free_form={"x": 1})


def test_a_running_guest_is_read_and_sent_as_a_dict():
    manager = _Manager(power_state.RUNNING)
    data = manager.get_diagnostics(None, SimpleNamespace(uuid=UUID))
    back = hv.GuestDiagnostics.from_dict(data)
    assert back.cpus == [hv.CpuDiagnostics(id=0, time=5)]
    assert back.free_form == {"x": 1}


@pytest.mark.parametrize("state, name", [(power_state.SHUTDOWN, "shutdown"),
                                         (power_state.PAUSED, "paused")])
def test_a_guest_not_running_is_nova_409(state, name):
    manager = _Manager(state)
    # The RPC server hands the caller the exception inside (logged as
    # expected, not as a failure).
    with pytest.raises(messaging.ExpectedException) as wrapped:
        manager.get_diagnostics(None, SimpleNamespace(uuid=UUID))
    err = wrapped.value.exc_info[1]
    assert isinstance(err, exception.InstanceInvalidState)
    assert err.code == 409
    assert str(err) == (f"Cannot 'get_diagnostics' instance {UUID} "
                              f"while it is in power_state {name}")
    manager.driver.get_diagnostics.assert_not_called()


def test_pinned_below_1_11_the_call_is_not_sent(nimbus_conf):
    nimbus_conf.set_override("compute", "1.10", "upgrade_levels")
    api = compute_rpcapi.ComputeAPI()
    with mock.patch.object(api.client, "prepare") as prepare, \
            pytest.raises(exception.UnsupportedOperation):
        api.get_diagnostics(None, SimpleNamespace(host="h1", uuid=UUID))
    prepare.assert_not_called()
