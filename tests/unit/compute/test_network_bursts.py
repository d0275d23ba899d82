"""A compute's calls to nimbus-network shared by its concurrent boots
and deletes: alone, a boot calls at once as before; boots that arrive
while a call is out go together in the next one, each with its own
outcome; boots nimbus-network would not allocate together, and every
call to a service older than network RPC 1.4, go alone."""

import threading
import time

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.compute import network_bursts
from nimbus.core.network import rpcapi as network_rpcapi

NIC = [{"network_id": "net-1", "fixed_ip": None, "port_id": None}]


class FakeNetworkAPI:
    """The network rpcapi: records each call; the first one waits for
    ``release`` once ``hold`` is set (so others queue meanwhile)."""

    def __init__(self, bursts=True):
        self.bursts = bursts
        self.calls = []
        self.hold = threading.Event()
        self.release = threading.Event()
        self.failing = set()

    def can_take_bursts(self):
        return self.bursts

    def _wait(self):
        if self.hold.is_set() and len(self.calls) == 1:
            self.release.wait(5)

    def allocate_for_instance(self, context, instance_uuid, project_id,
                              host, requested, security_groups, hostname,
                              held_groups=()):
        self.calls.append(("one", instance_uuid, list(held_groups)))
        self._wait()
        if instance_uuid in self.failing:
            raise exception.NoMoreFixedIps(network_id="net-1")
        return [{"id": f"port-of-{instance_uuid}"}]

    def allocate_for_instances(self, context, host, requests,
                               held_groups=()):
        uuids = [r["instance_uuid"] for r in requests]
        self.calls.append(("burst", uuids, sorted(held_groups)))
        self._wait()
        return [exception.NoMoreFixedIps(network_id="net-1")
                if uuid in self.failing else [{"id": f"port-of-{uuid}"}]
                for uuid in uuids]

    def deallocate_for_instance(self, context, instance_uuid, host,
                                return_vifs=True):
        self.calls.append(("release", instance_uuid, return_vifs))
        self._wait()

    def deallocate_for_instances(self, context, host, instance_uuids):
        self.calls.append(("releases", list(instance_uuids)))
        self._wait()
        return [None] * len(instance_uuids)


@pytest.fixture
def ctx():
    return nimbus_context.get_admin_context()


def _allocate(bursts, ctx, uuid, requested=NIC, groups=(), held=()):
    return bursts.allocate(ctx, uuid, "p1", requested, list(groups),
                           f"vm-{uuid}", held_groups=held)


def _while_first_call_is_out(api, bursts, first, rest, queued):
    """Run ``first()``; once its call is out, run each of ``rest`` in
    its own thread; end the first call once ``queued`` wait. Returns
    ``{index: outcome or error}`` (the first at 0)."""
    outcomes = {}

    def run(index, fn):
        try:
            outcomes[index] = fn()
        except Exception as err:
            outcomes[index] = err
    api.hold.set()
    threads = [threading.Thread(target=run, args=(0, first))]
    threads[0].start()
    deadline = time.monotonic() + 5
    while not api.calls and time.monotonic() < deadline:
        time.sleep(0.005)
    for index, fn in enumerate(rest, 1):
        threads.append(threading.Thread(target=run, args=(index, fn)))
        threads[-1].start()
    while queued() < len(rest) and time.monotonic() < deadline:
        time.sleep(0.005)
    api.release.set()
    for thread in threads:
        thread.join(5)
    return outcomes


def test_a_lone_boot_calls_at_once_as_before(ctx):
    api = FakeNetworkAPI()
    bursts = network_bursts.NetworkBursts("c-1", api)
    assert _allocate(bursts, ctx, "i1", held=["g1"]) == [
        {"id": "port-of-i1"}]
    assert api.calls == [("one", "i1", ["g1"])]


def test_boots_arriving_during_a_call_share_the_next_one(ctx):
    api = FakeNetworkAPI()
    api.failing.add("i3")
    bursts = network_bursts.NetworkBursts("c-1", api)
    outcomes = _while_first_call_is_out(
        api, bursts, lambda: _allocate(bursts, ctx, "i0", held=["g1"]),
        [lambda i=i: _allocate(bursts, ctx, f"i{i}", held=["g1", "g2"])
         for i in range(1, 5)],
        bursts._boots.waiting)
    first, burst = api.calls
    assert first == ("one", "i0", ["g1"])
    # One call for the four that waited; members held by all of them
    # are left out of the reply.
    assert burst[0] == "burst" and sorted(burst[1]) == ["i1", "i2", "i3",
                                                        "i4"]
    assert burst[2] == ["g1", "g2"]
    assert outcomes[0] == [{"id": "port-of-i0"}]
    for index in (1, 2, 4):
        assert outcomes[index] == [{"id": f"port-of-i{index}"}]
    # Its own failure, to the boot it belongs to only.
    assert isinstance(outcomes[3], exception.NoMoreFixedIps)


@pytest.mark.parametrize("requested, groups", [
    ([dict(NIC[0], fixed_ip="10.0.0.9")], ()),
    ([{"network_id": "net-1", "fixed_ip": None, "port_id": "port-9"}], ()),
    ([{"network_id": None, "fixed_ip": None, "port_id": None}], ()),
    (NIC, ("web",)),
    ([], ()),
])
def test_a_boot_nimbus_network_would_not_batch_goes_alone(ctx, requested,
                                                          groups):
    assert not network_rpcapi.joins_bursts(requested, list(groups))
    api = FakeNetworkAPI()
    bursts = network_bursts.NetworkBursts("c-1", api)
    _while_first_call_is_out(
        api, bursts, lambda: _allocate(bursts, ctx, "i0"),
        [lambda: _allocate(bursts, ctx, "i1", requested, groups)],
        lambda: len(api.calls) - 1)
    assert [c[:2] for c in api.calls] == [("one", "i0"), ("one", "i1")]


def test_a_network_service_before_1_4_gets_one_call_per_server(ctx):
    api = FakeNetworkAPI(bursts=False)
    bursts = network_bursts.NetworkBursts("c-1", api)
    _while_first_call_is_out(
        api, bursts, lambda: _allocate(bursts, ctx, "i0"),
        [lambda i=i: _allocate(bursts, ctx, f"i{i}") for i in (1, 2)],
        lambda: len(api.calls) - 1)
    assert sorted(c[:2] for c in api.calls) == [
        ("one", "i0"), ("one", "i1"), ("one", "i2")]
    bursts.release(ctx, "i0")
    assert api.calls[-1] == ("release", "i0", False)


def test_a_failed_burst_call_fails_each_of_its_boots(ctx):
    api = FakeNetworkAPI()
    bursts = network_bursts.NetworkBursts("c-1", api)

    def unanswered(*args, **kwargs):
        raise exception.ServiceUnavailable(backend="message broker")
    api.allocate_for_instances = unanswered
    outcomes = _while_first_call_is_out(
        api, bursts, lambda: _allocate(bursts, ctx, "i0"),
        [lambda i=i: _allocate(bursts, ctx, f"i{i}") for i in (1, 2)],
        bursts._boots.waiting)
    assert outcomes[0] == [{"id": "port-of-i0"}]
    assert all(isinstance(outcomes[i], exception.ServiceUnavailable)
               for i in (1, 2))


def test_deletes_during_a_release_share_the_next_one(ctx):
    api = FakeNetworkAPI()
    bursts = network_bursts.NetworkBursts("c-1", api)
    outcomes = _while_first_call_is_out(
        api, bursts, lambda: bursts.release(ctx, "i0"),
        [lambda i=i: bursts.release(ctx, f"i{i}") for i in (1, 2, 3)],
        bursts._deletes.waiting)
    assert outcomes == {0: None, 1: None, 2: None, 3: None}
    first, burst = api.calls
    assert first == ("release", "i0", False)
    assert burst[0] == "releases" and sorted(burst[1]) == ["i1", "i2",
                                                           "i3"]
