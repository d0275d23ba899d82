"""Fixtures for scheduler unit tests: ``conf`` and ``load``."""

import pytest

from nimbus.core import loading


@pytest.fixture
def conf(nimbus_conf):
    return nimbus_conf


@pytest.fixture
def load_filter(conf):
    """Load a filter by entry-point name, as the scheduler does."""
    return lambda name: loading.load_driver(loading.FILTERS, name, conf)


@pytest.fixture
def load_weigher(conf):
    return lambda name: loading.load_driver(loading.WEIGHERS, name, conf)
