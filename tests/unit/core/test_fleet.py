"""The compute fleet's shared parts: one RPC server answering many hosts'
targets (``local://`` bindings), the timer wheel of their periodic tasks,
and the resource tracker's skipped repeats."""

import threading
import time
from unittest import mock

import oslo_messaging as messaging
import pytest
from oslo_config import cfg
from oslo_messaging import conffixture

from nimbus.core import context as nimbus_context
from nimbus.core import fleet, rpc
from nimbus.core.compute import resource_tracker
from nimbus.core.objects import compute_node
from nimbus.plugins.hypervisors.fake import driver as fake_driver


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    fixture = conffixture.ConfFixture(conf)
    fixture.setUp()
    conf([], project="nimbus-test")
    yield conf
    fixture.cleanUp()


def _use_transport(conf, url):
    transport = messaging.get_rpc_transport(conf, url=url)
    rpc._STATE["transport"] = transport
    return transport


@pytest.fixture
def local(conf):
    transport = _use_transport(conf, "local://")
    yield transport
    rpc._STATE["transport"] = None
    transport.cleanup()


class Host:
    target = messaging.Target(version="1.0")

    def __init__(self, name):
        self.name = name
        self.casts = []
        self.cast_seen = threading.Event()

    def whoami(self, ctxt):
        return self.name

    def hello(self, ctxt):
        self.casts.append(ctxt.request_id)
        self.cast_seen.set()


def _client(server=None, fanout=False, timeout=5):
    client = rpc.get_client(messaging.Target(topic="fleet-test"),
                            timeout=timeout)
    return client.prepare(server=server, fanout=fanout)


@pytest.fixture
def fleet_server(local):
    server = rpc.FleetServer(messaging.Target(topic="fleet-test",
                                              server="the-fleet"))
    hosts = {name: Host(name) for name in ("h1", "h2", "h3")}
    server.add_hosts({name: [h] for name, h in hosts.items()})
    server.start()
    yield server, hosts
    server.stop()
    server.wait()


def test_each_host_target_reaches_its_own_endpoint(fleet_server):
    ctx = nimbus_context.get_admin_context()
    for name in ("h1", "h2", "h3"):
        assert _client(name).call(ctx, "whoami") == name


def test_fanout_reaches_every_host_once(fleet_server):
    _, hosts = fleet_server
    ctx = nimbus_context.get_admin_context()
    _client(fanout=True).cast(ctx, "hello")
    for host in hosts.values():
        assert host.cast_seen.wait(5)
    time.sleep(0.2)
    assert [len(h.casts) for h in hosts.values()] == [1, 1, 1]


def test_a_removed_host_is_no_longer_answered(fleet_server):
    server, _ = fleet_server
    ctx = nimbus_context.get_admin_context()
    server.remove_hosts(["h2"])
    with pytest.raises(messaging.MessagingTimeout):
        _client("h2", timeout=0.3).call(ctx, "whoami")
    assert _client("h3").call(ctx, "whoami") == "h3"


def test_a_transport_without_bindings_is_refused(conf):
    transport = _use_transport(conf, "fake://")
    try:
        with pytest.raises(ValueError, match="local://"):
            rpc.FleetServer(messaging.Target(topic="t", server="f"))
    finally:
        rpc._STATE["transport"] = None
        transport.cleanup()


def test_the_wheel_repeats_tasks_and_never_overlaps_one():
    wheel = fleet.TimerWheel(workers=4)
    runs, running, overlaps = [], [0], []
    lock = threading.Lock()

    def slow():
        with lock:
            running[0] += 1
            if running[0] > 1:
                overlaps.append(True)
        time.sleep(0.05)
        with lock:
            running[0] -= 1
            runs.append(time.monotonic())

    wheel.add(slow, 0.01, first=0)
    wheel.add(lambda: None, -1)  # disabled: never queued
    wheel.start()
    time.sleep(0.5)
    wheel.stop()
    wheel.wait()
    assert len(runs) >= 4 and not overlaps
    assert len(wheel._heap) <= 1


def test_a_repeated_inventory_is_reported_once_in_ten(nimbus_conf):
    conf = nimbus_conf
    driver = fake_driver.FakeDriver(conf, "h1")
    tracker = resource_tracker.ResourceTracker(conf, "h1", driver)
    with mock.patch.object(compute_node.ComputeNode, "report_inventory",
                           return_value=mock.sentinel.node) as report:
        for _ in range(resource_tracker.FULL_REPORT_EVERY + 1):
            assert tracker.update_available_resource(7) is \
                mock.sentinel.node
        assert report.call_count == 2
        conf.set_override("cpu_allocation_ratio", 8.0, "compute")
        tracker.update_available_resource(7)
        assert report.call_count == 3


def test_a_topic_message_goes_to_the_default_endpoints(local):
    server = rpc.FleetServer(
        messaging.Target(topic="fleet-test", server="aliases"),
        default=[Host("default")])
    server.add_hosts({"h1": [Host("h1")]})
    server.start()
    try:
        ctx = nimbus_context.get_admin_context()
        assert _client().call(ctx, "whoami") == "default"
        assert _client("h1").call(ctx, "whoami") == "h1"
    finally:
        server.stop()
        server.wait()
