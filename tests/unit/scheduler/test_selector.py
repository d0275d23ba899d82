"""Selector and Ranking: order from config, alternates, conflicts,
explanations, incremental updates."""

import pytest

from nimbus.core import exception
from nimbus.core.scheduler import manager, selector
from nimbus.core.scheduler.host_state import HostSet
from tests.unit.scheduler import fakes


class Claimer:
    def __init__(self, conflicts=(), group_conflicts=None):
        self.conflicts = list(conflicts)
        self.group_conflicts = group_conflicts
        self.claimed, self.released = [], []

    def claim(self, host, uuid, spec):
        if self.conflicts and self.conflicts[0] == host.host:
            self.conflicts.pop(0)
            raise exception.GenerationConflict(node=host.host)
        if self.group_conflicts is not None:
            hosts, self.group_conflicts = self.group_conflicts, None
            raise exception.GroupConflict(hosts=hosts)
        self.claimed.append((host.host, uuid))

    def release(self, uuid):
        self.released.append(uuid)


def _selector(conf, filters=("compute", "resources"), weighers=("ram",)):
    conf.set_override("enabled_filters", list(filters), "scheduler")
    conf.set_override("enabled_weighers", list(weighers), "scheduler")
    return selector.Selector(conf, manager.load_filters(conf),
                             manager.load_weighers(conf))


def test_enabled_set_and_order_come_from_config(conf):
    sel = _selector(conf, ("resources", "compute", "json"), ("disk", "cpu"))
    assert [f.plugin_name for f in sel.filters] == ["resources", "compute",
                                                    "json"]
    assert [type(w).__name__ for w in sel.weighers] == ["DiskWeigher",
                                                        "CPUWeigher"]


def test_unknown_plugin_fails_fast(conf):
    with pytest.raises(exception.PluginNotFound, match="no_such"):
        _selector(conf, ("compute", "no_such"))


def test_best_host_first_with_alternates(conf):
    conf.set_override("max_alternates", 2, "scheduler")
    sel = _selector(conf)
    hosts = HostSet([fakes.host("small", memory_mb=4096),
                     fakes.host("big", memory_mb=65536),
                     fakes.host("mid", memory_mb=16384)])
    result = sel.select(hosts, fakes.spec(), ["i1"], Claimer(), None)
    assert [s["host"] for s in result[0]] == ["big", "mid", "small"]
    assert hosts.hosts[1].memory_mb_used == 512
    assert hosts.hosts[1].instances == {"i1"}


def test_fills_hosts_exactly_then_explains(conf):
    sel = _selector(conf)
    hosts = HostSet([fakes.host(f"h{i}", vcpus=2, memory_mb=2048)
                     for i in range(3)])
    claimer = Claimer()
    for i in range(6):
        sel.select(hosts, fakes.spec(memory_mb=1024), [f"i{i}"], claimer,
                   None)
    assert sorted(h for h, _ in claimer.claimed) == \
        ["h0", "h0", "h1", "h1", "h2", "h2"]
    hosts.hosts[0].service_up = False
    hosts.touch(hosts.hosts[0])
    with pytest.raises(exception.NoValidHost) as err:
        sel.select(hosts, fakes.spec(memory_mb=1024), ["i9"], claimer, None)
    assert str(err.value) == (
        "No valid host was found. 3 compute host(s) considered: compute "
        "removed 1 (compute service down or disabled); resources removed 2"
        " (not enough free vCPU, RAM or disk).")


def test_generation_conflict_refreshes_and_retries(conf):
    sel = _selector(conf)
    hosts = HostSet([fakes.host("a", memory_mb=8192),
                     fakes.host("b", memory_mb=4096)])
    refreshed = []

    def refresh(host):
        host.memory_mb_used = 8000   # someone else filled it
        refreshed.append(host.host)
        hosts.touch(host)

    claimer = Claimer(conflicts=["a"])
    result = sel.select(hosts, fakes.spec(), ["i1"], claimer, refresh)
    assert refreshed == ["a"]
    assert result[0][0]["host"] == "b"


def test_group_conflict_uses_fresh_member_hosts(conf):
    sel = _selector(conf, ("compute", "server_group_anti_affinity"))
    hosts = HostSet([fakes.host("a", memory_mb=8192),
                     fakes.host("b", memory_mb=4096)])
    claimer = Claimer(group_conflicts=["a"])
    spec = fakes.spec(group=fakes.group("anti-affinity"))
    result = sel.select(hosts, spec, ["i1"], claimer, None)
    assert result[0][0]["host"] == "b"


def test_multi_create_all_or_nothing(conf):
    sel = _selector(conf, ("compute", "server_group_anti_affinity"))
    hosts = HostSet([fakes.host("a"), fakes.host("b")])
    claimer = Claimer()
    spec = fakes.spec(group=fakes.group("anti-affinity"))
    with pytest.raises(exception.NoValidHost, match="anti-affinity"):
        sel.select(hosts, spec, ["i1", "i2", "i3"], claimer, None)
    assert claimer.released == ["i1", "i2"]
    assert spec.group["hosts"] == []   # the caller's spec is untouched


def test_ranking_sees_changed_hosts_only_through_the_log(conf):
    sel = _selector(conf)
    a, b = fakes.host("a", memory_mb=8192), fakes.host("b", memory_mb=4096)
    hosts = HostSet([a, b])
    assert sel.ranking(hosts, fakes.spec()).best(1) == [a]
    a.memory_mb_used = 6000
    hosts.touch(a)
    assert sel.ranking(hosts, fakes.spec()).best(2) == [b, a]
    a.memory_mb_used = 8000   # no longer fits
    hosts.touch(a)
    assert sel.ranking(hosts, fakes.spec()).best(2) == [b]
    c = fakes.host("c", memory_mb=65536)
    hosts.replace([b, c])
    assert sel.ranking(hosts, fakes.spec()).best(3) == [c, b]


def test_ranking_keeps_its_own_spec(conf):
    sel = _selector(conf, ("compute", "server_group_anti_affinity"))
    a, b = fakes.host("a", memory_mb=8192), fakes.host("b", memory_mb=4096)
    hosts = HostSet([a, b])
    spec = fakes.spec(group=fakes.group("anti-affinity"))
    assert sel.ranking(hosts, spec).best(2) == [a, b]
    spec.group["hosts"].append("a")   # the caller reuses its spec
    hosts.touch(a)                    # the ranking re-filters a
    fresh = fakes.spec(group=fakes.group("anti-affinity"))
    assert sel.ranking(hosts, fresh).best(2) == [a, b]


def test_tried_and_requested_hosts(conf):
    sel = _selector(conf)
    hosts = HostSet([fakes.host("a"), fakes.host("b"), fakes.host("c")])
    spec = fakes.spec()
    spec.tried_hosts = ["a"]
    spec.requested_hosts = ["b"]
    result = sel.select(hosts, spec, ["i1"], Claimer(), None)
    assert [s["host"] for s in result[0]] == ["b"]


def test_requested_destination_is_filtered_like_any_host(conf):
    """2.74: only the requested host and/or node; the filters still
    apply to it, and what removed the others is explained."""
    sel = _selector(conf)
    a, b = fakes.host("a"), fakes.host("b", nodename="b-2")
    small = fakes.host("c", memory_mb=256)
    hosts = HostSet([a, b, small])
    spec = fakes.spec()
    spec.requested_destination = {"host": "b"}
    assert [s["host"] for s in sel.select(hosts, spec, ["i1"], Claimer(),
                                         None)[0]] == ["b"]
    spec.requested_destination = {"node": "b-2"}
    assert [s["nodename"] for s in sel.select(
        hosts, spec, ["i2"], Claimer(), None)[0]] == ["b-2"]
    spec.requested_destination = {"host": "a", "node": "b-2"}
    with pytest.raises(exception.NoValidHost,
                       match="requested_destination removed 3"):
        sel.select(hosts, spec, ["i3"], Claimer(), None)
    spec.requested_destination = {"host": "c"}
    with pytest.raises(exception.NoValidHost, match="resources removed 1"):
        sel.select(hosts, spec, ["i4"], Claimer(), None)


def test_a_selection_says_the_zone_of_its_host(conf):
    """Conductor records the zone the decision saw instead of reading
    it again (None: the host is in no zone-setting aggregate)."""
    sel = _selector(conf)
    zoned = fakes.host("a", availability_zone="az-1")
    plain = fakes.host("b", memory_mb=1024)
    result = sel.select(HostSet([zoned, plain]), fakes.spec(), ["i1"],
                        Claimer(), None)
    assert {s["host"]: s["availability_zone"] for s in result[0]} == {
        "a": "az-1", "b": None}
