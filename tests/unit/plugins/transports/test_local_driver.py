"""The ``local://`` transport through oslo.messaging's public API: calls,
casts, fanout, pools of notification listeners, timeouts, exceptions
crossing as a broker carries them, and listeners that sleep until a
message arrives (no polling)."""

import statistics
import threading
import time

import oslo_messaging as messaging
import pytest
from oslo_config import cfg
from oslo_messaging import conffixture

from nimbus.core import exception


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    # oslo.messaging's fixture registers the options its clients read.
    fixture = conffixture.ConfFixture(conf)
    fixture.setUp()
    conf([], project="nimbus-test")
    yield conf
    fixture.cleanUp()


@pytest.fixture
def transport(conf):
    transport = messaging.get_rpc_transport(
        conf, url="local://", allowed_remote_exmods=["nimbus.core.exception"])
    yield transport
    transport.cleanup()


class Private(Exception):
    """An exception of a module callers do not allow."""


class Endpoint:
    def __init__(self, name="a"):
        self.name = name
        self.seen = []
        self.arrived = threading.Event()

    def echo(self, ctxt, value):
        return {"from": self.name, "value": value}

    def keep(self, ctxt, value):
        self.seen.append(value)
        value["mutated"] = True
        self.arrived.set()

    def fail(self, ctxt):
        raise exception.InstanceNotFound(instance_id="abc")

    def crash(self, ctxt):
        raise Private("not for callers")

    def builtin(self, ctxt):
        raise ValueError("bad value")


@pytest.fixture
def serve(transport):
    servers = []

    def serve(topic, server, endpoint):
        rpc_server = messaging.get_rpc_server(
            transport, messaging.Target(topic=topic, server=server),
            [endpoint], executor="threading")
        rpc_server.start()
        servers.append(rpc_server)
        return endpoint
    yield serve
    for server in servers:
        server.stop()
        server.wait()


def _client(transport, topic, **kwargs):
    return messaging.get_rpc_client(
        transport, messaging.Target(topic=topic, **kwargs), timeout=5)


def test_call_returns_the_reply(transport, serve):
    serve("t", "h1", Endpoint("h1"))
    assert _client(transport, "t").call({}, "echo", value=[1, 2]) == \
        {"from": "h1", "value": [1, 2]}


def test_call_to_a_server_reaches_that_server(transport, serve):
    serve("t", "h1", Endpoint("h1"))
    serve("t", "h2", Endpoint("h2"))
    client = _client(transport, "t", server="h2")
    assert {client.call({}, "echo", value=1)["from"] for _ in range(5)} == \
        {"h2"}


def test_a_cast_hands_over_a_copy(transport, serve):
    endpoint = serve("t", "h1", Endpoint())
    value = {"n": (1, 2)}
    _client(transport, "t").cast({}, "keep", value=value)
    assert endpoint.arrived.wait(5)
    # As over a broker: a JSON copy (tuples arrive as lists) and the
    # receiver's changes never reach the sender's object.
    assert endpoint.seen == [{"n": [1, 2], "mutated": True}]
    assert value == {"n": (1, 2)}


def test_fanout_reaches_every_server_of_the_topic(transport, serve):
    endpoints = [serve("t", f"h{i}", Endpoint()) for i in range(3)]
    _client(transport, "t", fanout=True).cast({}, "keep", value={})
    assert all(e.arrived.wait(5) for e in endpoints)
    assert [len(e.seen) for e in endpoints] == [1, 1, 1]


def test_allowed_exceptions_come_back_as_themselves(transport, serve):
    serve("t", "h1", Endpoint())
    with pytest.raises(exception.InstanceNotFound) as info:
        _client(transport, "t").call({}, "fail")
    assert "abc" in str(info.value)


def test_other_exceptions_come_back_as_remote_errors(transport, serve):
    serve("t", "h1", Endpoint())
    with pytest.raises(messaging.RemoteError) as info:
        _client(transport, "t").call({}, "crash")
    assert info.value.exc_type == "Private"


def test_builtin_exceptions_come_back_as_themselves(transport, serve):
    serve("t", "h1", Endpoint())
    with pytest.raises(ValueError, match="bad value"):
        _client(transport, "t").call({}, "builtin")


def test_a_call_nobody_answers_times_out(transport):
    client = messaging.get_rpc_client(
        transport, messaging.Target(topic="nobody"), timeout=0.2)
    with pytest.raises(messaging.MessagingTimeout):
        client.call({}, "echo", value=1)


def test_a_cast_before_the_server_starts_is_kept(transport, serve):
    _client(transport, "later").cast({}, "keep", value={"early": 1})
    endpoint = serve("later", "h1", Endpoint())
    assert endpoint.arrived.wait(5)
    assert endpoint.seen == [{"early": 1, "mutated": True}]


def test_notification_pools_each_get_a_copy(conf, transport):
    notify_transport = messaging.get_notification_transport(
        conf, url="local://")
    got = {"a": [], "b": []}
    done = threading.Event()

    def endpoint(name):
        class Sink:
            def info(self, ctxt, publisher_id, event_type, payload,
                     metadata):
                got[name].append(event_type)
                if got["a"] and got["b"]:
                    done.set()
        return Sink()
    listeners = [messaging.get_notification_listener(
        notify_transport, [messaging.Target(topic="notes")],
        [endpoint(pool)], executor="threading", pool=pool)
        for pool in ("a", "b")]
    for listener in listeners:
        listener.start()
    try:
        notifier = messaging.Notifier(notify_transport, "test.host",
                                      driver="messaging", topics=["notes"])
        notifier.info({}, "thing.happened", {"k": 1})
        assert done.wait(5)
        assert got == {"a": ["thing.happened"], "b": ["thing.happened"]}
    finally:
        for listener in listeners:
            listener.stop()
            listener.wait()


def test_idle_listeners_sleep(transport, serve):
    for i in range(50):
        serve("idle", f"h{i}", Endpoint())
    time.sleep(0.2)
    start = time.process_time()
    time.sleep(1.0)
    # fake:// wakes each listener every 50 ms; local:// wakes none while
    # nothing is sent (a loose bound: the test process's own noise).
    assert time.process_time() - start < 0.05


def test_a_listener_wakes_at_once_for_a_message(transport, serve):
    serve("fast", "h1", Endpoint())
    client = _client(transport, "fast")
    client.call({}, "echo", value=0)
    took = []
    for i in range(20):
        start = time.monotonic()
        client.call({}, "echo", value=i)
        took.append(time.monotonic() - start)
    # Round trips well under one fake:// poll interval (50 ms) each: the
    # median, so one stall of the host (seen: 0.45 s once, with the
    # other test worker busy) does not decide it; a polling listener
    # would make every call wait.
    assert statistics.median(took) < 0.02


def test_cleanup_drops_what_a_transport_left(transport, serve):
    _client(transport, "left").cast({}, "keep", value={"stale": 1})
    transport.cleanup()
    endpoint = serve("left", "h1", Endpoint())
    assert not endpoint.arrived.wait(0.3)


def test_servers_keep_working_after_another_transport_cleans_up(conf,
                                                                transport,
                                                                serve):
    """A test's teardown may clean up its transport while a longer-lived
    cloud of the same process still serves."""
    serve("t", "h1", Endpoint("h1"))
    other = messaging.get_rpc_transport(conf, url="local://")
    other.cleanup()
    assert _client(transport, "t").call({}, "echo", value=2)["value"] == 2
