"""A started daemon's garbage collector: startup objects frozen, the
youngest generation and full collections less often than CPython's
defaults."""

import gc

import pytest

from nimbus.core import service


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_a_started_daemon_freezes_what_it_holds_and_collects_less_often(
        restored_gc):
    held = [object() for _ in range(10)]  # noqa: F841 - alive now
    gc.set_threshold(700, 10, 10)
    service.freeze_startup_objects()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (service.YOUNG_COLLECTION_THRESHOLD, 10,
                                  service.FULL_COLLECTION_THRESHOLD)
    assert service.YOUNG_COLLECTION_THRESHOLD > 700
    assert service.FULL_COLLECTION_THRESHOLD > 10
