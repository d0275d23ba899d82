"""Libvirt lifecycle events and domain states to nimbus power states."""

import libvirt
import pytest

from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import guest, host


@pytest.mark.parametrize("event,detail,expected", [
    (libvirt.VIR_DOMAIN_EVENT_STARTED, 0, power_state.RUNNING),
    (libvirt.VIR_DOMAIN_EVENT_RESUMED, 0, power_state.RUNNING),
    (libvirt.VIR_DOMAIN_EVENT_SUSPENDED, 0, power_state.PAUSED),
    (libvirt.VIR_DOMAIN_EVENT_STOPPED,
     libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED, power_state.SHUTDOWN),
    (libvirt.VIR_DOMAIN_EVENT_STOPPED,
     libvirt.VIR_DOMAIN_EVENT_STOPPED_SAVED, power_state.SUSPENDED),
    (libvirt.VIR_DOMAIN_EVENT_STOPPED,
     libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED, power_state.CRASHED),
    (libvirt.VIR_DOMAIN_EVENT_DEFINED, 0, None),
    (libvirt.VIR_DOMAIN_EVENT_UNDEFINED, 0, None),
])
def test_event_power_state(event, detail, expected):
    assert host.event_power_state(event, detail) == expected


@pytest.mark.parametrize("state,saved,expected", [
    (libvirt.VIR_DOMAIN_RUNNING, False, power_state.RUNNING),
    (libvirt.VIR_DOMAIN_PAUSED, False, power_state.PAUSED),
    (libvirt.VIR_DOMAIN_SHUTOFF, False, power_state.SHUTDOWN),
    (libvirt.VIR_DOMAIN_SHUTOFF, True, power_state.SUSPENDED),
    (libvirt.VIR_DOMAIN_CRASHED, False, power_state.CRASHED),
])
def test_domain_power_state(state, saved, expected):
    assert guest.power_state_of(state, saved) == expected
