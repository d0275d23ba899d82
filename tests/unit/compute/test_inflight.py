"""InFlight: which instances a compute works on, and which it terminated
lately (a build the delete overtook is dropped by them)."""

import threading

from nimbus.core.compute import inflight


def test_an_instance_is_in_flight_while_its_lock_is_held_or_awaited():
    flights = inflight.InFlight()
    held, release = threading.Event(), threading.Event()

    def hold():
        with flights.lock("a"):
            held.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(5)
    assert "a" in flights and "b" not in flights
    release.set()
    worker.join(5)
    assert "a" not in flights


def test_terminated_instances_are_remembered_up_to_a_bound(monkeypatch):
    monkeypatch.setattr(inflight.InFlight, "REMEMBERED_TERMINATIONS", 3)
    flights = inflight.InFlight()
    assert not flights.was_terminated("a")
    for uuid in "abcd":
        flights.note_terminated(uuid)
    # the oldest went to keep the bound; the others are remembered
    assert [flights.was_terminated(u) for u in "abcd"] == \
        [False, True, True, True]
    flights.note_terminated("b")   # noted again: the newest now
    flights.note_terminated("e")
    assert [flights.was_terminated(u) for u in "bcde"] == \
        [True, False, True, True]
