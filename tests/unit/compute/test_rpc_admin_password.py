"""Compute RPC 1.16: set_admin_password is a call to the instance's
host; pinned below, it is refused (Nova's 501) before anything is
sent."""

from types import SimpleNamespace
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import rpcapi as compute_rpcapi

INSTANCE = SimpleNamespace(uuid="9b3f3a1e-6c49-4d56-8f5e-0a7c1f1e2d3c",
                           host="h1")


def test_sent_as_a_call_at_1_16(nimbus_conf):
    api = compute_rpcapi.ComputeAPI()
    with mock.patch.object(api.client, "prepare") as prepare:
        api.set_admin_password(None, INSTANCE, "pw")
    assert prepare.call_args.kwargs["server"] == "h1"
    assert prepare.call_args.kwargs["version"] == "1.16"
    prepare.return_value.call.assert_called_once_with(
        None, "set_admin_password", instance=INSTANCE, password="pw")


def test_pinned_below_1_16_is_refused(nimbus_conf):
    nimbus_conf.set_override("compute", "1.15", "upgrade_levels")
    api = compute_rpcapi.ComputeAPI()
    with mock.patch.object(api.client, "prepare") as prepare:
        with pytest.raises(exception.SetAdminPasswordNotImplemented) as err:
            api.set_admin_password(None, INSTANCE, "pw")
    assert err.value.code == 501
    assert "Unable to set password on instance" in str(err.value)
    prepare.assert_not_called()
