"""The scheduler conformance kits catch broken plugins, and their
builders make what they promise."""

import itertools
import time
import unittest
from unittest import mock

import pytest

from nimbus.core import loading
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.interfaces import scheduler
from nimbus.core.testing import scheduler as kit


class GoodFilter(scheduler.HostFilter):
    """Rejects hosts without free RAM."""

    rejection = "no free RAM"

    def host_passes(self, host_state, spec):
        return host_state.free_ram_mb > 0


class NotAFilter:
    """Rejects nothing: not a HostFilter at all."""

    def __init__(self, conf):
        pass


class UndocumentedFilter(GoodFilter):
    """A filter that says nothing about what it rejects."""


class SilentFilter(GoodFilter):
    """Rejects hosts without free RAM, without saying why."""

    rejection = " "


class TruthyFilter(GoodFilter):
    """Rejects hosts without free RAM (answers with a number)."""

    def host_passes(self, host_state, spec):
        return int(host_state.free_ram_mb > 0)


class NeverAppliesFilter(GoodFilter):
    """Rejects hosts with the hint ``never`` (no sample case has it)."""

    def applies(self, spec):
        return "never" in spec.scheduler_hints


class HostMutatingFilter(GoodFilter):
    """Rejects hosts without free RAM, and counts on the host state."""

    def host_passes(self, host_state, spec):
        host_state.io_ops += 1
        return True


class SpecMutatingFilter(GoodFilter):
    """Rejects hosts already tried, and adds every host to the list."""

    def host_passes(self, host_state, spec):
        spec.tried_hosts = spec.tried_hosts + [host_state.host]
        return True


class FlakyFilter(GoodFilter):
    """Rejects every other host it sees."""

    _turn = itertools.cycle([True, False])

    def host_passes(self, host_state, spec):
        return next(self._turn)


class SlowFilter(GoodFilter):
    """Rejects hosts without free RAM, slowly."""

    def host_passes(self, host_state, spec):
        time.sleep(0.002)
        return True


class GoodWeigher(scheduler.HostWeigher):
    """Prefers hosts with more free RAM."""

    multiplier_option = "ram_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.free_ram_mb


class NaNWeigher(GoodWeigher):
    """Prefers nothing: weighs NaN."""

    def weigh(self, host_state, spec):
        return float("nan")


class BoolWeigher(GoodWeigher):
    """Prefers hosts with free RAM (as a bool)."""

    def weigh(self, host_state, spec):
        return host_state.free_ram_mb > 0


class IntMultiplierWeigher(GoodWeigher):
    """Prefers hosts with more free RAM (multiplier as an int)."""

    def multiplier(self, host_state):
        return 1


class MutatingWeigher(GoodWeigher):
    """Prefers hosts with more free RAM, and claims some of it."""

    def weigh(self, host_state, spec):
        host_state.memory_mb_used += 1
        return host_state.free_ram_mb


def _run(mixin, plugin_cls, test_name):
    """Run one kit test against ``plugin_cls``; return the outcome."""
    case_cls = type("Case", (mixin, unittest.TestCase),
                    {"plugin_name": "under-test"})
    result = unittest.TestResult()
    with mock.patch.object(loading, "load_class",
                           return_value=plugin_cls):
        case_cls(test_name).run(result)
    if result.errors:
        return "error"
    return "failed" if result.failures else "passed"


FILTERS = kit.HostFilterConformanceTests
WEIGHERS = kit.HostWeigherConformanceTests


@pytest.mark.parametrize("plugin, test_name", [
    (NotAFilter, "test_entry_point_names_a_host_filter"),
    (UndocumentedFilter, "test_docstring_says_what_it_rejects"),
    (SilentFilter, "test_rejection_is_a_message"),
    (TruthyFilter, "test_answers_are_bools"),
    (NeverAppliesFilter, "test_answers_are_bools"),
    (HostMutatingFilter, "test_leaves_host_state_and_spec_unchanged"),
    (SpecMutatingFilter, "test_leaves_host_state_and_spec_unchanged"),
    (FlakyFilter, "test_same_answer_twice"),
    (SlowFilter, "test_fast"),
])
def test_filter_kit_fails_a_broken_filter(plugin, test_name):
    assert _run(FILTERS, GoodFilter, test_name) == "passed"
    assert _run(FILTERS, plugin, test_name) == "failed"


@pytest.mark.parametrize("plugin, test_name", [
    (GoodFilter, "test_entry_point_names_a_host_weigher"),
    (NaNWeigher, "test_weights_are_finite_numbers"),
    (BoolWeigher, "test_weights_are_finite_numbers"),
    (IntMultiplierWeigher, "test_multiplier_is_a_finite_float"),
    (MutatingWeigher, "test_leaves_host_state_and_spec_unchanged"),
])
def test_weigher_kit_fails_a_broken_weigher(plugin, test_name):
    assert _run(WEIGHERS, GoodWeigher, test_name) == "passed"
    assert _run(WEIGHERS, plugin, test_name) == "failed"


def test_kit_without_plugin_name_fails():
    case_cls = type("Case", (FILTERS, unittest.TestCase), {})
    result = unittest.TestResult()
    case_cls("test_fast").run(result)
    assert "sets no plugin_name" in result.failures[0][1]


def test_make_host_state_defaults_and_overrides():
    state = kit.make_host_state()
    assert (state.host, state.node, state.nodename) == ("host-1",) * 3
    assert (state.free_vcpus, state.free_ram_mb, state.free_disk_gb) == \
        (16, 32768, 500)
    assert state.service_up and not state.service_disabled
    assert state.aggregates == [] and state.instances == set()
    state = kit.make_host_state("h", node="n", vcpus_total=4,
                                instances={"i"}, free_ram_mb=100,
                                free_disk_gb=10, free_vcpus=1.5,
                                num_instances=3)
    assert (state.host, state.nodename, state.vcpus) == ("h", "n", 4)
    assert (state.free_ram_mb, state.free_disk_gb, state.free_vcpus) == \
        (100, 10, 1.5)
    assert state.num_instances == 3 and state.instances == {"i"}


def test_make_host_state_aggregates_give_the_zone():
    state = kit.make_host_state(aggregates=[
        {"metadata": {"k": "v"}},
        {"availability_zone": "az-1", "metadata": {"k": "w"}}])
    assert state.availability_zone == "az-1"
    assert state.metadata_values("k") == {"v", "w"}
    assert [a["name"] for a in state.aggregates] == ["aggregate-0",
                                                     "aggregate-1"]


def test_make_host_state_rejects_unknown_fields():
    with pytest.raises(TypeError, match="free_lunch"):
        kit.make_host_state(free_lunch=1)


def test_make_spec_defaults_and_overrides():
    spec = kit.make_spec()
    assert isinstance(spec, rs.RequestSpec)
    assert (spec.flavor["vcpus"], spec.flavor["memory_mb"],
            spec.disk_gb()) == \
        (1, 512, 1)
    assert spec.scheduler_hints == {} and spec.group is None
    spec = kit.make_spec(vcpus=4, swap=1, image={"properties": {"a": 1}},
                         group={"uuid": "g", "policy": "affinity"},
                         tried_hosts=["x"])
    assert (spec.flavor["vcpus"], spec.disk_gb()) == (4, 2)
    assert spec.image == {"id": "image-1", "properties": {"a": 1}}
    assert spec.group == {"uuid": "g", "policy": "affinity", "rules": {},
                          "hosts": []}
    assert spec.tried_hosts == ["x"]
    with pytest.raises(TypeError, match="flavour"):
        kit.make_spec(flavour={})


def test_make_conf_has_scheduler_and_core_options():
    conf = kit.make_conf()
    assert conf.scheduler.ram_weight_multiplier == 1.0
    assert conf.compute.default_availability_zone == "nova"
    assert conf.scheduler.enabled_filters[0] == "compute"
