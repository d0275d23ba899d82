"""``[fault_injection] pause_at``: a named step stops its thread until the process
is killed; unnamed steps and the default pass straight through."""

import pathlib
import re
from unittest import mock

import pytest

from nimbus.core import fault_injection


class Killed(Exception):
    """Stands in for the SIGKILL the test harness sends."""


def test_unset_passes_through(nimbus_conf):
    with mock.patch.object(fault_injection.time, "sleep") as sleep:
        fault_injection.pause_point(nimbus_conf, "resize.sent", "u1")
    assert not sleep.called


def test_named_step_pauses_until_killed(nimbus_conf, caplog):
    nimbus_conf.set_override("pause_at", ["live.running"], "fault_injection")
    with mock.patch.object(fault_injection.time, "sleep") as sleep:
        fault_injection.pause_point(nimbus_conf, "resize.sent", "u1")  # not named
        assert not sleep.called
        sleep.side_effect = [None, Killed]
        with pytest.raises(Killed):
            fault_injection.pause_point(nimbus_conf, "live.running", "u1")
    assert sleep.call_count == 2          # still asleep after the first
    assert "paused at live.running (u1)" in caplog.text


def test_every_listed_step_has_its_pause_point():
    """A test pausing at a step of STEPS must reach it: each one is
    named at exactly one call in nimbus.core."""
    root = pathlib.Path(fault_injection.__file__).parent
    calls = re.findall(r'pause_point\(self\.conf, "([a-z.]+)"',
                       "".join(p.read_text() for p in root.rglob("*.py")))
    assert sorted(calls) == sorted(fault_injection.STEPS)


def test_counted_step_pauses_the_nth_time_only(nimbus_conf, caplog):
    nimbus_conf.set_override("pause_at", ["volume.create:3"],
                             "fault_injection")
    fault_injection._reached.clear()
    with mock.patch.object(fault_injection.time, "sleep") as sleep:
        fault_injection.pause_point(nimbus_conf, "volume.create", "v1")
        fault_injection.pause_point(nimbus_conf, "volume.connect", "v1")
        fault_injection.pause_point(nimbus_conf, "volume.create", "v2")
        assert not sleep.called
        sleep.side_effect = Killed
        with pytest.raises(Killed):
            fault_injection.pause_point(nimbus_conf, "volume.create", "v3")
        sleep.reset_mock()
        fault_injection.pause_point(nimbus_conf, "volume.create", "v4")
        assert not sleep.called           # the 4th passes again
    assert "paused at volume.create (v3)" in caplog.text
    assert "(v1)" not in caplog.text and "(v2)" not in caplog.text
