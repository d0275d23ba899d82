"""oslo.messaging's driver contract, as far as nimbus uses it, for the
AMQP 1.0 driver over RabbitMQ's rabbitmq_amqp1_0 plugin.

Most tests use a fresh vhost of the shared broker (``qpid://`` URL with
the vhost in the path). The tests that stop the broker start a private
RabbitMQ node (:mod:`tests.rabbit_node`) and kill that one only.
"""

import queue
import threading
import time
import uuid

import oslo_messaging as messaging
import pytest
from oslo_config import cfg

from tests import real
from tests.conftest import free_port
from tests.integration.procs import wait_until
from tests.rabbit_node import private_rabbit

pytestmark = pytest.mark.real


@pytest.fixture
def vhost():
    with real.rabbit_vhost() as (_url, name):
        yield name


def _transport(url):
    cfg.CONF([], project="nimbus-test", default_config_files=[])
    return messaging.get_rpc_transport(cfg.CONF, url=url)


@pytest.fixture
def transports(vhost):
    made = []

    def make(scheme="qpid", url=None):
        tr = _transport(url or f"{scheme}://guest:guest@127.0.0.1:5672/"
                        f"{vhost}")
        made.append(tr)
        return tr
    yield make
    for tr in made:
        tr.cleanup()


class Recorder:
    """An RPC endpoint that records what it got."""

    target = messaging.Target(version="1.0")

    def __init__(self, name):
        self.name = name
        self.got = queue.Queue()

    def echo(self, ctxt, value):
        self.got.put(("echo", value))
        return {"server": self.name, "value": value}

    def note(self, ctxt, value):
        self.got.put(("note", value))

    def fail(self, ctxt):
        raise ValueError(f"failed on {self.name}")

    def slow(self, ctxt, seconds):
        time.sleep(seconds)
        return "done"


def _server(transport, target, endpoint):
    server = messaging.get_rpc_server(transport, target, [endpoint])
    server.start()
    _wait_listening(server)
    return server


def _wait_listening(server, timeout=15):
    listener = server.listener._poll_style_listener
    assert listener.wait_active(timeout), "subscriptions never attached"


def _stop(server):
    server.stop()
    server.wait()


def _drain(q, timeout=0.5):
    items = []
    while True:
        try:
            items.append(q.get(timeout=timeout))
        except queue.Empty:
            return items


@pytest.mark.parametrize("scheme", ["qpid", "amqp1"])
def test_call_returns_the_result_and_remote_errors(transports, scheme):
    tr = transports(scheme)
    ep = Recorder("s1")
    server = _server(tr, messaging.Target(topic="t1", server="s1"), ep)
    try:
        client = messaging.get_rpc_client(tr, messaging.Target(topic="t1"),
                                          timeout=15)
        assert client.call({}, "echo", value=[1, "x"]) == {
            "server": "s1", "value": [1, "x"]}
        with pytest.raises(ValueError, match="failed on s1"):
            client.call({}, "fail")
        direct = client.prepare(server="s1")
        assert direct.call({}, "echo", value=2)["value"] == 2
    finally:
        _stop(server)


def test_call_to_a_topic_without_server_times_out(transports):
    tr = transports()
    client = messaging.get_rpc_client(
        tr, messaging.Target(topic=f"nobody-{uuid.uuid4().hex[:6]}"),
        timeout=2)
    start = time.monotonic()
    with pytest.raises(messaging.MessagingTimeout):
        client.call({}, "echo", value=1)
    took = time.monotonic() - start
    assert 1.9 <= took < 6, took


def test_slow_call_past_its_timeout_times_out(transports):
    tr = transports()
    server = _server(tr, messaging.Target(topic="slow", server="s"),
                     Recorder("s"))
    try:
        client = messaging.get_rpc_client(
            tr, messaging.Target(topic="slow"), timeout=1)
        with pytest.raises(messaging.MessagingTimeout):
            client.call({}, "slow", seconds=3)
        # The late reply is dropped; the next call gets its own answer.
        time.sleep(2.5)
        assert client.prepare(timeout=10).call(
            {}, "echo", value="after")["value"] == "after"
    finally:
        _stop(server)


def test_call_monitor_heartbeats_keep_a_long_call_alive(transports):
    tr = transports()
    server = _server(tr, messaging.Target(topic="mon", server="s"),
                     Recorder("s"))
    try:
        client = messaging.get_rpc_client(
            tr, messaging.Target(topic="mon"), timeout=20,
            call_monitor_timeout=2)
        # 5 s of work with a 2 s monitor: only the server's heartbeats
        # keep the call alive.
        assert client.call({}, "slow", seconds=5) == "done"
    finally:
        _stop(server)


def test_casts_go_to_one_server_each_and_by_name(transports):
    tr = transports()
    a, b = Recorder("a"), Recorder("b")
    servers = [_server(tr, messaging.Target(topic="work", server="a"), a),
               _server(tr, messaging.Target(topic="work", server="b"), b)]
    try:
        client = messaging.get_rpc_client(tr, messaging.Target(topic="work"))
        for i in range(20):
            client.cast({}, "note", value=i)
        for i in range(5):
            client.prepare(server="b").cast({}, "note", value=100 + i)
        got_a = [v for _, v in _drain(a.got, 2)]
        got_b = [v for _, v in _drain(b.got, 2)]
        # Each cast exactly once, spread over both servers.
        assert sorted(got_a + got_b) == list(range(20)) + list(
            range(100, 105))
        assert got_a and [v for v in got_b if v < 100]
        assert not [v for v in got_a if v >= 100]
    finally:
        for s in servers:
            _stop(s)


def test_fanout_reaches_every_server(transports):
    tr = transports()
    eps = [Recorder(n) for n in ("a", "b", "c")]
    servers = [_server(tr, messaging.Target(topic="fan", server=e.name), e)
               for e in eps]
    try:
        client = messaging.get_rpc_client(
            tr, messaging.Target(topic="fan", fanout=True))
        client.cast({}, "note", value="all")
        for ep in eps:
            assert ep.got.get(timeout=10) == ("note", "all")
            assert _drain(ep.got) == []
    finally:
        for s in servers:
            _stop(s)


def test_queued_casts_wait_for_a_restarted_server(transports):
    tr = transports()
    first = Recorder("s")
    server = _server(tr, messaging.Target(topic="rs", server="s"), first)
    client = messaging.get_rpc_client(tr, messaging.Target(topic="rs"))
    client.cast({}, "note", value=1)
    assert first.got.get(timeout=10) == ("note", 1)
    _stop(server)
    # No server now: casts wait in the topic's queue ...
    for i in range(2, 5):
        client.cast({}, "note", value=i)
    second = Recorder("s")
    server = _server(tr, messaging.Target(topic="rs", server="s"), second)
    try:
        # ... and the restarted server gets each of them once.
        assert sorted(v for _, v in _drain(second.got, 3)) == [2, 3, 4]
    finally:
        _stop(server)


def test_concurrent_callers_get_their_own_replies(transports):
    tr = transports()
    server = _server(tr, messaging.Target(topic="cc", server="s"),
                     Recorder("s"))
    errors = []

    def caller(n):
        client = messaging.get_rpc_client(
            tr, messaging.Target(topic="cc"), timeout=20)
        for i in range(25):
            value = f"{n}-{i}"
            if client.call({}, "echo", value=value)["value"] != value:
                errors.append(value)
    try:
        threads = [threading.Thread(target=caller, args=(n,))
                   for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
    finally:
        _stop(server)


class NotifyEndpoint:
    def __init__(self):
        self.got = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.got.put((publisher_id, event_type, payload))
        return messaging.NotificationResult.HANDLED


def test_notifications_are_stored_until_a_listener_comes(vhost):
    url = f"qpid://guest:guest@127.0.0.1:5672/{vhost}"
    cfg.CONF([], project="nimbus-test", default_config_files=[])
    tr = messaging.get_notification_transport(cfg.CONF, url=url)
    try:
        topic = f"notif{uuid.uuid4().hex[:6]}"
        notifier = messaging.Notifier(tr, publisher_id="compute.h1",
                                      driver="messaging", topics=[topic])
        # Sent before anyone listens: the broker keeps it.
        notifier.info({}, "instance.create.end", {"id": "i-1"})
        ep = NotifyEndpoint()
        listener = messaging.get_notification_listener(
            tr, [messaging.Target(topic=topic)], [ep])
        listener.start()
        try:
            assert ep.got.get(timeout=10) == (
                "compute.h1", "instance.create.end", {"id": "i-1"})
            notifier.info({}, "instance.delete.end", {"id": "i-1"})
            assert ep.got.get(timeout=10)[1] == "instance.delete.end"
        finally:
            listener.stop()
            listener.wait()
        with pytest.raises(NotImplementedError, match="pools"):
            messaging.get_notification_listener(
                tr, [messaging.Target(topic=topic)], [ep],
                pool="audit").start()
    finally:
        tr.cleanup()


def test_fail_over_to_the_next_host(vhost, transports):
    dead = free_port()
    tr = transports(url=f"qpid://guest:guest@127.0.0.1:{dead},"
                        f"guest:guest@127.0.0.1:5672/{vhost}")
    server = _server(tr, messaging.Target(topic="fo", server="s"),
                     Recorder("s"))
    try:
        client = messaging.get_rpc_client(tr, messaging.Target(topic="fo"),
                                          timeout=15)
        assert client.call({}, "echo", value="ok")["value"] == "ok"
        assert tr._driver.loop.last_host.port == 5672
    finally:
        _stop(server)


def test_wrong_password_gives_a_timeout_not_a_hang(vhost, transports):
    tr = transports(url=f"qpid://guest:wrong@127.0.0.1:5672/{vhost}")
    client = messaging.get_rpc_client(tr, messaging.Target(topic="pw"),
                                      timeout=3)
    start = time.monotonic()
    with pytest.raises(messaging.MessagingTimeout):
        client.call({}, "echo", value=1)
    assert time.monotonic() - start < 8


def test_broker_restart_reconnects_and_keeps_queued_casts():
    with private_rabbit() as node:
        tr = _transport(f"qpid://{node.url}")
        ep = Recorder("s")
        try:
            server = _server(tr, messaging.Target(topic="rb", server="s"),
                             ep)
            client = messaging.get_rpc_client(
                tr, messaging.Target(topic="rb"), timeout=10)
            assert client.call({}, "echo", value=0)["value"] == 0
            # A cast the server has not taken yet is on disk (durable
            # queue, durable message) when the broker dies.
            _stop(server)
            client.cast({}, "note", value="kept")
            loop = tr._driver.loop
            before = loop.connections
            node.kill()
            wait_until(lambda: not loop.connected.is_set(), 10,
                       message="the driver noticed the broker is gone")
            done = []
            sender = threading.Thread(target=lambda: done.append(
                client.cast({}, "note", value="sent-while-down")))
            sender.start()
            time.sleep(1)
            assert not done  # a cast blocks until the broker is back
            node.start()
            start = time.monotonic()
            assert loop.connected.wait(30), "no reconnect within 30 s"
            assert loop.connections > before
            sender.join(30)
            assert done == [None]
            reconnect_s = time.monotonic() - start
            server = _server(tr, messaging.Target(topic="rb", server="s"),
                             ep)
            got = sorted(v for name, v in _drain(ep.got, 3)
                         if name == "note")
            assert got == ["kept", "sent-while-down"], got
            assert client.call({}, "echo", value=1)["value"] == 1
            _stop(server)
            assert reconnect_s < 30
        finally:
            tr.cleanup()


@pytest.fixture
def qpid_overrides():
    from nimbus.plugins.transports.qpid import conf as qpid_conf
    qpid_conf.register_opts(cfg.CONF)
    set_ = []

    def override(**values):
        for name, value in values.items():
            cfg.CONF.set_override(name, value, group="oslo_messaging_qpid")
            set_.append(name)
    yield override
    for name in set_:
        cfg.CONF.clear_override(name, group="oslo_messaging_qpid")


def test_tls_with_sasl_plain(qpid_overrides):
    with private_rabbit(tls=True) as node:
        url = f"qpid://guest:guest@localhost:{node.tls_port}/"
        # The broker's CA: calls go through, over TLS.
        qpid_overrides(ssl=True, ssl_ca_file=node.ca,
                       sasl_allow_insecure=False)
        tr = _transport(url)
        try:
            server = _server(tr, messaging.Target(topic="tls", server="s"),
                             Recorder("s"))
            client = messaging.get_rpc_client(
                tr, messaging.Target(topic="tls"), timeout=10)
            assert client.call({}, "echo", value="secret")["value"] == \
                "secret"
            _stop(server)
        finally:
            tr.cleanup()
        # Not the broker's CA (the system's): the certificate is refused,
        # and a call times out instead of talking to an unverified peer.
        qpid_overrides(ssl_ca_file=None)
        tr = _transport(url + "?ssl=1")
        try:
            client = messaging.get_rpc_client(
                tr, messaging.Target(topic="tls"), timeout=3)
            with pytest.raises(messaging.MessagingTimeout):
                client.call({}, "echo", value=1)
            assert tr._driver.loop.connections == 0
        finally:
            tr.cleanup()
        # PLAIN without TLS when insecure mechanisms are off: refused.
        qpid_overrides(ssl=False)
        tr = _transport(f"qpid://{node.url}")
        try:
            client = messaging.get_rpc_client(
                tr, messaging.Target(topic="tls"), timeout=3)
            with pytest.raises(messaging.MessagingTimeout):
                client.call({}, "echo", value=1)
            assert tr._driver.loop.connections == 0
        finally:
            tr.cleanup()
