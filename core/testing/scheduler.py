"""Conformance kits for scheduler filters and weighers.

A plugin's own repository proves its filter (or weigher) keeps the
contract of :mod:`nimbus.core.interfaces.scheduler` by mixing a kit into
``unittest.TestCase``::

    import unittest

    from nimbus.core.testing import scheduler as kit

    class TestMyFilter(kit.HostFilterConformanceTests, unittest.TestCase):
        plugin_name = "my_filter"   # its nimbus.scheduler.filters entry

        def sample_cases(self):     # optional; add cases it applies to
            return super().sample_cases() + [
                (kit.make_host_state(), kit.make_spec(
                    scheduler_hints={"my_hint": "x"}))]

The kit loads the plugin through nimbus's loader, as the scheduler does,
so the plugin's distribution must be installed with its entry point.
:func:`make_host_state`, :func:`make_spec` and :func:`make_conf` build the
inputs of a plugin's own unit tests as well.
"""

import copy
import dataclasses
import math
import re
import time

from oslo_config import cfg

from nimbus.core import loading
from nimbus.core.conf import opts as nimbus_opts
from nimbus.core.interfaces import extra_specs
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.interfaces import scheduler as interface
from nimbus.core.scheduler import host_state as scheduler_host_state

# Average seconds one call may take: filters and weighers run per host.
_MAX_SECONDS_PER_CALL = 0.001

_HOST_DEFAULTS = {
    "uuid": "00000000-0000-4000-8000-000000000001", "node_id": 1,
    "generation": 0, "hypervisor_type": "fake", "hypervisor_version": 1,
    "vcpus": 16, "memory_mb": 32768, "local_gb": 500,
}
_HOST_FIELDS = frozenset(
    f.name for f in dataclasses.fields(scheduler_host_state.HostState))
_ALIASES = {"node": "nodename", "vcpus_total": "vcpus"}
_FLAVOR_FIELDS = frozenset(rs.FLAVOR.names)


def make_host_state(host="host-1", node=None, **fields):
    """Return a real scheduler host state with sane defaults.

    16 vCPUs, 32 GiB of RAM and 500 GB of disk, none used; hypervisor
    ``fake`` on ``x86_64``; service up and enabled; no aggregates, no
    instances.

    :param host: the host name.
    :param node: the hypervisor node name (default: ``host``).
    :param fields: attributes to set (see :class:`~nimbus.core.interfaces.
        host_state.HostStateView`), e.g. ``memory_mb_used=1024`` or
        ``instances={"uuid"}``. ``aggregates`` items may give only
        ``metadata`` (``name`` and ``availability_zone`` are filled in, and
        the host's zone follows them unless given). The derived values
        ``free_vcpus``, ``free_ram_mb`` and ``free_disk_gb`` set the used
        amount that yields them; ``num_instances`` sets ``running_vms``.
    :returns: a :class:`~nimbus.core.scheduler.host_state.HostState`.
    :raises TypeError: a field host states do not have.
    """
    derived = {name: fields.pop(name) for name in
               ("free_vcpus", "free_ram_mb", "free_disk_gb", "num_instances")
               if name in fields}
    values = dict(_HOST_DEFAULTS, host=host, nodename=node or host,
                  cpu_info={"arch": "x86_64"})
    for name, value in fields.items():
        name = _ALIASES.get(name, name)
        if name not in _HOST_FIELDS:
            raise TypeError(f"make_host_state() got an unknown field "
                            f"{name!r}")
        values[name] = value
    aggregates = [_aggregate(i, agg) for i, agg
                  in enumerate(values.pop("aggregates", None) or [])]
    state = scheduler_host_state.HostState(**values)
    state.aggregates = aggregates
    if "availability_zone" not in values:
        zones = [a["availability_zone"] for a in aggregates
                 if a["availability_zone"]]
        state.availability_zone = zones[0] if zones else None
    _set_derived(state, **derived)
    return state


def _aggregate(index, agg):
    metadata = dict(agg.get("metadata") or {})
    return {"name": agg.get("name", f"aggregate-{index}"),
            "availability_zone": agg.get(
                "availability_zone", metadata.get("availability_zone")),
            "metadata": metadata}


def _set_derived(state, free_vcpus=None, free_ram_mb=None,
                 free_disk_gb=None, num_instances=None):
    if free_vcpus is not None:
        state.vcpus_used = state.free_vcpus + state.vcpus_used - free_vcpus
    if free_ram_mb is not None:
        state.memory_mb_used = \
            state.free_ram_mb + state.memory_mb_used - free_ram_mb
    if free_disk_gb is not None:
        state.local_gb_used = \
            state.free_disk_gb + state.local_gb_used - free_disk_gb
    if num_instances is not None:
        state.running_vms = num_instances


def make_spec(**fields):
    """Return a :class:`~nimbus.core.interfaces.request_spec.RequestSpec`
    with defaults: one instance of 1 vCPU, 512 MB of RAM and 1 GB of
    disk, image ``image-1`` without properties, no zone, hints or group.

    :param fields: request spec fields to set; ``flavor`` and ``image``
        keys given are merged into the defaults, and flavor keys
        (``vcpus``, ``memory_mb``, ``root_gb``, ``ephemeral_gb``,
        ``swap``, ``extra_specs``, ``flavorid``, ``name``) may be given
        directly.
    :raises TypeError: a field request specs do not have.
    """
    values = {"project_id": "project-1", "user_id": "user-1",
              "flavor": {"flavorid": "1", "name": "m1.small", "vcpus": 1,
                         "memory_mb": 512, "root_gb": 1},
              "image": {"id": "image-1"}}
    for name, value in fields.items():
        if name in _FLAVOR_FIELDS:
            values["flavor"][name] = value
        elif name not in rs.RequestSpec.fields:
            raise TypeError(f"make_spec() got an unknown field {name!r}")
        elif name in ("flavor", "image"):
            values[name] = dict(values[name], **value)
        else:
            values[name] = value
    return rs.RequestSpec(**values)


def make_conf():
    """Return a ``cfg.ConfigOpts`` with nimbus's options registered (the
    ``[scheduler]`` group and the other core groups bundled plugins
    read, e.g. ``[compute] default_availability_zone``), parsed with no
    arguments and no configuration files. Plugins register their own
    options on it."""
    conf = cfg.ConfigOpts()
    for group, opts in nimbus_opts.list_opts():
        name = getattr(group, "name", group)
        conf.register_opts(opts, group=None if name == "DEFAULT" else group)
    conf([], project="nimbus", default_config_files=[],
         default_config_dirs=[])
    return conf


def _default_cases():
    """Return a varied list of ``(host_state, spec)``: every bundled
    filter and weigher applies to at least one, and some hosts pass where
    others fail."""
    zoned = make_host_state("host-3", io_ops=3, running_vms=1, aggregates=[
        {"availability_zone": "az-1",
         "metadata": {"ssd": "true", "filter_tenant_id": "project-1",
                      "max_io_ops_per_host": "4",
                      "max_instances_per_host": "2",
                      "ram_weight_multiplier": "2.0"}}])
    elsewhere = make_host_state("host-4", aggregates=[
        {"availability_zone": "az-2",
         "metadata": {"filter_tenant_id": "project-2"}}])
    return [
        (make_host_state(), make_spec()),
        (make_host_state("host-2", memory_mb_used=32000),
         make_spec(memory_mb=4096, ephemeral_gb=1, swap=512)),
        (zoned, _zoned_spec()),
        (elsewhere, _zoned_spec()),
        (make_host_state(instances={"inst-1"}), _hinted_spec()),
        (make_host_state("host-6", instances={"inst-2"}), _hinted_spec()),
        (make_host_state("host-7", service_up=False, failed_builds=2),
         make_spec(group=_group("anti-affinity", ["host-7"]))),
        (make_host_state("host-8", service_disabled=True),
         make_spec(group=_group("anti-affinity", ["host-8"],
                                max_server_per_host=2))),
        (make_host_state(), make_spec(group=_group("affinity",
                                                   ["host-1"]))),
        (make_host_state("host-2"), make_spec(group=_group(
            "affinity", ["host-1"]))),
        (make_host_state(), make_spec(group=_group(
            "soft-affinity", ["host-1", "host-1"]))),
        (make_host_state(), make_spec(group=_group(
            "soft-anti-affinity", ["host-2"]))),
    ]


def _zoned_spec():
    return make_spec(
        availability_zone="az-1",
        extra_specs={"ssd": "true", "capabilities:hypervisor_type":
                     "s== fake", "capabilities:cpu_info:arch": "x86_64"},
        image={"properties": {"hw_architecture": "x86_64",
                              "img_hv_type": "fake"}})


def _hinted_spec():
    return make_spec(scheduler_hints={
        "same_host": "inst-1", "different_host": ["inst-1"],
        "query": '[">=", "$free_ram_mb", 1024]'})


def _group(policy, hosts, **rules):
    return {"uuid": "11111111-2222-4333-8444-555555555555",
            "policy": policy, "rules": rules, "hosts": hosts}


def _snapshot(host_state, spec):
    return copy.deepcopy(vars(host_state)), spec.obj_to_primitive()


class _PluginConformance:
    """What the filter and weigher kits share."""

    #: entry-point name of the plugin under test.
    plugin_name = None
    _namespace = None
    _interface = None

    def make_conf(self):
        return make_conf()

    def sample_cases(self):
        return _default_cases()

    def _load(self):
        if not self.plugin_name:
            self.fail(f"{type(self).__name__} sets no plugin_name")
        cls = loading.load_class(self._namespace, self.plugin_name)
        self.assertTrue(
            isinstance(cls, type) and issubclass(cls, self._interface),
            f"{self._namespace} entry point {self.plugin_name!r} names "
            f"{cls!r}, not a {self._interface.__name__} subclass")
        return cls(self.make_conf())

    def _exercise(self, plugin, host_state, spec):
        """Call the plugin as the scheduler would on one case; return
        ``[(method name, answer)]``."""
        raise NotImplementedError

    def _summary(self, plugin):
        doc = (type(plugin).__doc__ or "").strip()
        return " ".join(doc.split("\n\n")[0].split())

    def _answers(self, plugin, method):
        """Return every answer of ``method`` over the sample cases;
        fail when no case reaches it."""
        answers = [answer for host_state, spec in self.sample_cases()
                   for name, answer in self._exercise(plugin, host_state,
                                                      spec)
                   if name == method]
        self.assertTrue(answers, f"no sample case makes "
                                 f"{self.plugin_name!r} apply: override "
                                 f"sample_cases()")
        return answers

    def test_leaves_host_state_and_spec_unchanged(self):
        plugin = self._load()
        for host_state, spec in self.sample_cases():
            before = _snapshot(host_state, spec)
            calls = self._exercise(plugin, host_state, spec)
            self.assertEqual(before, _snapshot(host_state, spec),
                             f"{[name for name, _ in calls]} changed the "
                             f"host state or the spec")

    def test_same_answer_twice(self):
        plugin = self._load()
        for host_state, spec in self.sample_cases():
            self.assertEqual(self._exercise(plugin, host_state, spec),
                             self._exercise(plugin, host_state, spec),
                             "a second call answered differently")

    def test_fast(self):
        plugin = self._load()
        cases = self.sample_cases()
        calls, start = 0, time.perf_counter()
        while calls < 500:
            for host_state, spec in cases:
                calls += len(self._exercise(plugin, host_state, spec))
        average = (time.perf_counter() - start) / calls
        self.assertLess(average, _MAX_SECONDS_PER_CALL,
                        f"{self.plugin_name!r} takes {average * 1e3:.3f} "
                        f"ms per call on average")


class HostFilterConformanceTests(_PluginConformance):
    """Contract tests of one ``nimbus.scheduler.filters`` plugin; mix in
    with ``unittest.TestCase`` and set :attr:`plugin_name`."""

    _namespace = loading.FILTERS
    _interface = interface.HostFilter

    def _exercise(self, plugin, host_state, spec):
        applies = plugin.applies(spec)
        calls = [("applies", applies)]
        if applies:
            calls.append(("host_passes",
                          plugin.host_passes(host_state, spec)))
        return calls

    def test_entry_point_names_a_host_filter(self):
        self.assertIsInstance(self._load(), interface.HostFilter)

    def test_docstring_says_what_it_rejects(self):
        summary = self._summary(self._load())
        self.assertRegex(summary, r"^Rejects \S",
                         "the docstring's first line must say what the "
                         "filter rejects (\"Rejects hosts ...\")")

    def test_rejection_is_a_message(self):
        rejection = self._load().rejection
        self.assertIsInstance(rejection, str)
        self.assertTrue(rejection.strip(), "rejection is empty")

    def test_answers_are_bools(self):
        plugin = self._load()
        for method in ("applies", "host_passes"):
            for answer in self._answers(plugin, method):
                self.assertIs(type(answer), bool,
                              f"{method}() returned {answer!r}, not a "
                              f"bool")

    def test_declared_extra_specs_are_data(self):
        """``extra_specs`` (contract 2.1) are ExtraSpec descriptors with a
        namespace, a description and a name that matches itself once its
        parameters are filled in; the API validates flavors with them."""
        for spec in type(self._load()).extra_specs:
            self.assertIsInstance(spec, extra_specs.ExtraSpec)
            self.assertIn(":", spec.name, f"{spec.name}: no namespace")
            self.assertTrue(spec.description.strip(),
                            f"{spec.name}: no description")
            self.assertIn(spec.value_type, (str, int, bool))
            re.compile(spec.name_regex)
            for param in spec.parameters:
                self.assertIn("{" + param + "}", spec.name)


class HostWeigherConformanceTests(_PluginConformance):
    """Contract tests of one ``nimbus.scheduler.weighers`` plugin; mix in
    with ``unittest.TestCase`` and set :attr:`plugin_name`."""

    _namespace = loading.WEIGHERS
    _interface = interface.HostWeigher

    def _exercise(self, plugin, host_state, spec):
        applies = plugin.applies(spec)
        calls = [("applies", applies),
                 ("multiplier", plugin.multiplier(host_state))]
        if applies:
            calls.append(("weigh", plugin.weigh(host_state, spec)))
        return calls

    def test_entry_point_names_a_host_weigher(self):
        self.assertIsInstance(self._load(), interface.HostWeigher)

    def test_docstring_says_what_it_prefers(self):
        self.assertTrue(self._summary(self._load()),
                        "the weigher has no docstring")

    def test_applies_is_a_bool(self):
        plugin = self._load()
        for answer in self._answers(plugin, "applies"):
            self.assertIs(type(answer), bool,
                          f"applies() returned {answer!r}, not a bool")

    def test_weights_are_finite_numbers(self):
        plugin = self._load()
        for weight in self._answers(plugin, "weigh"):
            self.assertTrue(
                isinstance(weight, (int, float))
                and not isinstance(weight, bool) and math.isfinite(weight),
                f"weigh() returned {weight!r}, not a finite number")

    def test_multiplier_is_a_finite_float(self):
        plugin = self._load()
        for value in self._answers(plugin, "multiplier"):
            self.assertTrue(
                isinstance(value, float) and math.isfinite(value),
                f"multiplier() returned {value!r}, not a finite float")
