"""Address arithmetic, VIF-dict conversions and the coalescing of
repeated gateway work."""

import threading
import time
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.interfaces import network as net
from nimbus.core.network import coalesce, ipam, model, records


def test_plan_reserves_network_gateway_broadcast_and_outside_the_range():
    plan = ipam.plan("192.168.5.0/29", allocation_start="192.168.5.3",
                     allocation_end="192.168.5.5")
    assert plan["gateway"] == "192.168.5.1"
    free = [a for a, reserved in plan["addresses"] if not reserved]
    assert free == ["192.168.5.3", "192.168.5.4", "192.168.5.5"]
    assert len(plan["addresses"]) == 8


def test_plan_without_gateway_hands_out_every_host_address():
    plan = ipam.plan("192.168.6.0/30", with_gateway=False)
    assert plan["gateway"] is None
    assert [a for a, r in plan["addresses"] if not r] == [
        "192.168.6.1", "192.168.6.2"]


def test_carve_takes_the_first_free_block():
    assert ipam.carve("10.0.0.0/22", 256, ["10.0.0.0/24"]) == "10.0.1.0/24"
    assert ipam.carve("10.0.0.0/23", 256, ["10.0.0.0/23"]) is None
    with pytest.raises(exception.InvalidCidr):
        ipam.carve("10.0.0.0/24", 100, [])


def test_pool_addresses():
    assert ipam.pool_addresses("172.24.4.8/30") == ["172.24.4.9",
                                                    "172.24.4.10"]
    assert ipam.pool_addresses("172.24.4.9/32") == ["172.24.4.9"]
    with pytest.raises(exception.InvalidCidr):
        ipam.pool_addresses("10.0.0.0/8")


def test_vif_dict_to_specs_ignores_what_it_does_not_know():
    vif = {"id": "p1", "mac": "fa:16:3e:00:00:01",
           "network": {"id": "n1", "name": "private", "cidr": "10.0.0.0/24",
                       "gateway": "10.0.0.1", "bridge": "br100",
                       "from_a_newer_release": True},
           "fixed_ips": ["10.0.0.3"], "instance_uuid": "i1",
           "hostname": "vm1", "rules": [
               {"direction": "ingress", "protocol": "tcp",
                "port_range_min": 22, "port_range_max": 22,
                "remote_cidr": None, "ethertype": "IPv4", "extra": 1}]}
    network, port, port_filter = model.to_specs(vif)
    assert network == net.NetworkSpec(id="n1", name="private",
                                      cidr="10.0.0.0/24",
                                      gateway="10.0.0.1", bridge="br100")
    assert (port.id, port.mac, port.fixed_ips, port.hostname) == (
        "p1", "fa:16:3e:00:00:01", ["10.0.0.3"], "vm1")
    assert port_filter.rules == [net.FirewallRule(
        direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22)]
    again = model.from_port_filter_dict(model.port_filter_dict(vif))
    assert again == (network, port, port_filter)


def test_addresses_list_fixed_then_floating():
    vifs = [{"id": "p1", "mac": "m1", "network": {"name": "private"},
             "fixed_ips": ["10.0.0.3"],
             "floating_ips": {"10.0.0.3": ["172.24.4.10"]}}]
    assert model.addresses(vifs) == {"private": [
        {"addr": "10.0.0.3", "version": 4, "OS-EXT-IPS:type": "fixed",
         "OS-EXT-IPS-MAC:mac_addr": "m1"},
        {"addr": "172.24.4.10", "version": 4,
         "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": "m1"}]}


def test_one_run_serves_every_request_made_before_it_started():
    updates = coalesce.Updates()
    runs, started, release = [], threading.Event(), threading.Event()

    def slow():
        runs.append(1)
        started.set()
        release.wait(5)

    first = threading.Thread(target=updates.run, args=("n", slow))
    first.start()
    started.wait(5)
    # made while the first run reads: they need one more run, one only
    waiters = [threading.Thread(target=updates.run,
                                args=("n", lambda: runs.append(1)))
               for _ in range(5)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.1)
    release.set()
    for thread in [first] + waiters:
        thread.join(5)
    assert len(runs) == 2
    assert updates.run("n", lambda: runs.append(1)) is True
    assert len(runs) == 3


class _Item:
    def __init__(self, id):
        self.id = id


def _recorder():
    calls = []
    return calls, (lambda: calls.append("full")), (
        lambda added, removed: calls.append(
            (sorted(i.id for i in added), sorted(i.id for i in removed))))


def test_updates_run_whole_first_then_what_changed():
    updates = coalesce.Updates()
    calls, full, delta = _recorder()
    a, b, c = _Item("a"), _Item("b"), _Item("c")
    updates.stage("n", removed=[a])  # never run: nothing kept
    updates.run("n", full, delta, added=[a])
    updates.run("n", full, delta, added=[b])
    updates.stage("n", removed=[b])
    updates.stage("n", added=[c])
    updates.run("n", full, delta)
    updates.run("n", full, delta, refresh=True)
    updates.run("n", full)  # a caller without a delta: whole
    assert calls == ["full", (["b"], []), (["c"], ["b"]), "full", "full"]


def test_a_failed_update_makes_the_next_run_whole():
    updates = coalesce.Updates()
    calls, full, delta = _recorder()
    updates.run("n", full, delta)

    def broken(added, removed):
        raise RuntimeError("plugin failed")
    with pytest.raises(RuntimeError):
        updates.run("n", full, broken, added=[_Item("a")])
    updates.run("n", full, delta, added=[_Item("b")])
    updates.run("n", full, delta, added=[_Item("c")])
    assert calls == ["full", "full", (["c"], [])]


def test_changes_staged_during_a_run_go_to_the_next():
    updates = coalesce.Updates()
    calls, full, delta = _recorder()
    updates.run("n", full, delta)
    inside = threading.Event()

    def slow(added, removed):
        delta(added, removed)
        inside.set()
        time.sleep(0.2)
    runner = threading.Thread(target=updates.run, args=("n", full, slow),
                              kwargs={"added": [_Item("a")]})
    runner.start()
    inside.wait(5)
    updates.stage("n", removed=[_Item("x")])
    runner.join(5)
    updates.run("n", full, delta)
    assert calls == ["full", (["a"], []), ([], ["x"])]


def test_a_reset_runs_alone_and_makes_the_next_run_whole():
    updates = coalesce.Updates()
    calls, full, delta = _recorder()
    updates.run("n", full, delta)
    updates.stage("n", added=[_Item("a")])
    updates.reset("n", lambda: calls.append("teardown"))
    updates.run("n", full, delta)
    assert calls == ["full", "teardown", "full"]


def test_the_debouncer_batches_keys():
    seen = []
    debouncer = coalesce.Debouncer(seen.append, delay=0.05)
    debouncer.add(["a"])
    debouncer.add(["b", "a"])
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [{"a", "b"}]
    debouncer.add(["c"])
    debouncer.flush()
    assert seen == [{"a", "b"}, {"c"}]
    debouncer.stop()


def test_the_debouncer_waits_for_a_pause_but_not_past_its_maximum():
    seen = []
    debouncer = coalesce.Debouncer(seen.append, delay=0.2, max_delay=0.5)
    for i in range(12):  # a key every 0.1 s: never a 0.2 s pause
        debouncer.add([i])
        time.sleep(0.1)
    deadline = time.monotonic() + 5
    while set().union(*seen) != set(range(12)) and \
            time.monotonic() < deadline:
        time.sleep(0.01)
    debouncer.stop()
    # Without the maximum the burst would be one call at its end.
    assert len(seen) >= 2
    assert sum(len(keys) for keys in seen) == 12
    assert set().union(*seen) == set(range(12))


def _batches_seen(run):
    """A GroupCommit whose batches are recorded, and the record."""
    seen = []

    def recorded(items):
        seen.append(list(items))
        return run(items)
    return coalesce.GroupCommit(recorded, max_items=4), seen


def _submit_all(group, items):
    """Submit each item from its own thread; ``{item: result or
    error}``."""
    outcomes = {}

    def submit(item):
        try:
            outcomes[item] = group.submit(item)
        except Exception as err:
            outcomes[item] = err
    threads = [threading.Thread(target=submit, args=(i,)) for i in items]
    for thread in threads:
        thread.start()
    return threads, outcomes


def _first_held_then(group, started, release, first, rest):
    """Submit ``first``; once its run has started (``started()``),
    submit ``rest``, and end the first run (``release``) when they all
    wait. Returns every item's outcome."""
    threads, outcomes = _submit_all(group, [first])
    deadline = time.monotonic() + 5
    while not started() and time.monotonic() < deadline:
        time.sleep(0.005)
    queued, more = _submit_all(group, rest)
    while group.waiting() < len(rest) and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in threads + queued:
        thread.join(5)
    outcomes.update(more)
    return outcomes


def test_group_commit_runs_a_lone_item_at_once():
    group, seen = _batches_seen(lambda items: [i * 2 for i in items])
    assert group.submit(21) == 42
    assert seen == [[21]]
    assert group.waiting() == 0


def test_group_commit_serves_items_that_arrive_during_a_run_together():
    release = threading.Event()

    def run(items):
        if items == [0]:
            release.wait(5)  # the others queue meanwhile
        return [i if i != 3 else ValueError("three") for i in items]

    group, seen = _batches_seen(run)
    outcomes = _first_held_then(group, lambda: seen, release, 0,
                                [1, 2, 3, 4, 5])
    # the first batch ran alone; the five queued meanwhile went in two
    # batches of at most four
    assert seen[0] == [0]
    assert sorted(len(b) for b in seen[1:]) == [1, 4]
    assert sorted(i for b in seen for i in b) == [0, 1, 2, 3, 4, 5]
    assert {i: o for i, o in outcomes.items() if i != 3} == {
        0: 0, 1: 1, 2: 2, 4: 4, 5: 5}
    assert isinstance(outcomes[3], ValueError)


def test_group_commit_hands_a_failed_run_to_every_caller_and_goes_on():
    release = threading.Event()
    calls = []

    def run(items):
        calls.append(items)
        if len(calls) == 1:
            release.wait(5)
            return list(items)
        raise RuntimeError("the batch failed")

    group = coalesce.GroupCommit(run)
    outcomes = _first_held_then(group, lambda: calls, release, "a",
                                ["b", "c"])
    assert outcomes["a"] == "a"
    assert all(isinstance(outcomes[i], RuntimeError) for i in "bc")
    # nothing is left holding the group: the next item runs at once
    with pytest.raises(RuntimeError):
        group.submit("d")
    assert group.waiting() == 0


def test_group_commit_runs_one_callers_items_together_in_order():
    group, seen = _batches_seen(
        lambda items: [ValueError(i) if i == "c" else i.upper()
                       for i in items])
    outcomes = group.submit_many(["a", "b", "c", "d", "e", "f"])
    # at most four a batch; the caller led both; the failure is handed
    # back in its place, not raised
    assert seen == [["a", "b", "c", "d"], ["e", "f"]]
    assert outcomes[:2] == ["A", "B"] and outcomes[3:] == ["D", "E", "F"]
    assert isinstance(outcomes[2], ValueError)
    assert group.submit_many([]) == [] and group.waiting() == 0


def test_group_commit_items_queued_together_wait_for_a_run_together():
    release = threading.Event()

    def run(items):
        if items == ["first"]:
            release.wait(5)
        return [f"{i}!" for i in items]

    group, seen = _batches_seen(run)
    threads, outcomes = _submit_all(group, ["first"])
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.005)
    many = {}
    burst = threading.Thread(target=lambda: many.update(
        got=group.submit_many(["x", "y", "z"])))
    burst.start()
    while group.waiting() < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in threads + [burst]:
        thread.join(5)
    assert outcomes == {"first": "first!"}
    assert seen == [["first"], ["x", "y", "z"]]
    assert many["got"] == ["x!", "y!", "z!"]


class _NoSession:
    """The database API, but a session (a transaction to read in) fails:
    the functions asked for nothing answer without one."""

    networks, floating_ips = db_api.networks, db_api.floating_ips

    def reading(self, context):
        raise AssertionError("a session was opened")


def test_a_boots_own_vifs_are_built_without_a_read():
    network = dict(
        dict.fromkeys(["vlan", "bridge_interface", "mtu", "project_id",
                       "allocation_start", "allocation_end", "created_at",
                       "updated_at", "subnet_uuid"]),
        uuid="n1", name="private", cidr="10.0.0.0/24", gateway="10.0.0.1",
        bridge="br100", multi_host=False, host="net-1", external=False,
        shared=True, dhcp_enabled=True, dns_servers=[])
    port = {"uuid": "p1", "network_id": "n1", "mac_address": "fa:16:3e:0:0:1",
            "host": "c-1", "instance_uuid": "i1", "dns_name": "vm1"}
    conf = mock.Mock()
    conf.network.metadata_host, conf.network.metadata_port = None, None
    (vif,) = records.vifs(
        None, _NoSession(), conf, [port], remote_groups=True,
        networks={"n1": network},
        made={"p1": {"fixed_ips": ["10.0.0.3"], "security_groups": ["g"]}},
        rules=({"p1": []}, {}))
    assert (vif["id"], vif["fixed_ips"], vif["network"]["cidr"]) == (
        "p1", ["10.0.0.3"], "10.0.0.0/24")
    # A port it did not make is read, in one session.
    with pytest.raises(AssertionError, match="a session"):
        records.vifs(None, _NoSession(), conf, [dict(port, uuid="p2")],
                     networks={"n1": network}, rules=({}, {}))
