"""Guest.start asks again when the host turned a start down for a moment
(EAGAIN from the kernel), and only then (no libvirtd needed)."""

from unittest import mock

import libvirt
import pytest

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt import guest as guest_mod

EAGAIN = ("failed to load cgroup BPF prog: "
          "Resource temporarily unavailable")


def _error(message):
    err = libvirt.libvirtError(message)
    err.err = (libvirt.VIR_ERR_OPERATION_FAILED, 0, message, 2, "", "", "",
               0, 0)
    return err


def _guest(*outcomes):
    domain = mock.Mock()
    domain.UUIDString.return_value = "6f1d3a52-0000-4000-8000-000000000001"
    domain.name.return_value = "nimbus-vm"
    domain.create.side_effect = list(outcomes)
    return guest_mod.Guest(domain), domain


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(guest_mod, "START_RETRY_PAUSE", 0)


def test_a_start_turned_down_for_a_moment_is_asked_again():
    guest, domain = _guest(_error(EAGAIN), 0)
    guest.start()
    assert domain.create.call_count == 2


def test_a_start_that_keeps_failing_gives_up_with_the_hosts_message():
    guest, domain = _guest(*[_error(EAGAIN)] * guest_mod.START_ATTEMPTS)
    with pytest.raises(exception.HypervisorError, match="temporarily"):
        guest.start()
    assert domain.create.call_count == guest_mod.START_ATTEMPTS


def test_other_start_failures_are_not_retried():
    guest, domain = _guest(_error("internal error: no space"), 0)
    with pytest.raises(exception.HypervisorError, match="no space"):
        guest.start()
    assert domain.create.call_count == 1
