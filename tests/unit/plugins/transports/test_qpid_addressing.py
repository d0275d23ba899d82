"""The AMQP 1.0 driver's address conventions, per broker family.

The expected strings are what each broker documents for these patterns:
RabbitMQ's rabbitmq_amqp1_0 plugin (``/queue/Q`` declares and uses queue
Q, ``/exchange/X/K`` gives a receiver a private queue bound to X with K,
``vhost:NAME`` in the open frame selects the virtual host), ActiveMQ and
Artemis (``queue://`` anycast and ``topic://`` multicast prefixes), Qpid
(plain node names; qpidd auto-creates them by pattern, a Dispatch router
routes ``broadcast`` as multicast).
"""

import oslo_messaging as messaging
import pytest
from oslo_config import cfg

from nimbus.plugins.transports.qpid import addressing, driver

RPC = messaging.Target(topic="compute", exchange="nimbus")
SERVER = messaging.Target(topic="compute", server="cmp-a", exchange="nimbus")
FANOUT = messaging.Target(topic="compute", fanout=True, exchange="nimbus")
NOTIFY = messaging.Target(topic="notifications.info")

EXPECTED = {
    "rabbitmq": {
        "anycast": "/queue/nimbus.compute",
        "server": "/queue/nimbus.compute.cmp-a",
        "fanout": "/exchange/amq.direct/nimbus.compute.fanout",
        "notify": "/queue/nimbus.notifications.info",
        "reply": "/exchange/amq.direct/nimbus.reply.r1",
        "hostname": "vhost:prod",
    },
    "activemq": {
        "anycast": "queue://nimbus.compute",
        "server": "queue://nimbus.compute.cmp-a",
        "fanout": "topic://nimbus.compute.fanout",
        "notify": "queue://nimbus.notifications.info",
        "reply": "topic://nimbus.reply.r1",
        "hostname": "broker.example",
    },
    "artemis": {
        "anycast": "queue://nimbus.compute",
        "server": "queue://nimbus.compute.cmp-a",
        "fanout": "topic://nimbus.compute.fanout",
        "notify": "queue://nimbus.notifications.info",
        "reply": "topic://nimbus.reply.r1",
        "hostname": "broker.example",
    },
    "qpid": {
        "anycast": "nimbus.compute",
        "server": "nimbus.compute.cmp-a",
        "fanout": "broadcast.nimbus.compute",
        "notify": "nimbus.notifications.info",
        "reply": "broadcast.nimbus.reply.r1",
        "hostname": "broker.example",
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_profile_addresses(name):
    want = EXPECTED[name]
    a = addressing.Addresser(addressing.get_profile(name), "nimbus")
    assert a.send_address(RPC) == (want["anycast"], True)
    assert a.send_address(SERVER) == (want["server"], True)
    assert a.send_address(FANOUT) == (want["fanout"], False)
    assert a.listen_addresses(SERVER) == [
        (want["anycast"], True), (want["server"], True),
        (want["fanout"], False)]
    # A server without a name (a pool worker) has no server queue.
    assert a.listen_addresses(RPC) == [
        (want["anycast"], True), (want["fanout"], False)]
    assert a.notify_address(NOTIFY) == want["notify"]
    assert a.notify_address(messaging.Target(topic="notifications"),
                            "info") == want["notify"]
    assert a.reply_address("r1") == want["reply"]
    assert a.open_hostname("prod", "broker.example") == want["hostname"]
    # No virtual host in the URL: the broker's own default.
    assert a.open_hostname(None, "broker.example") == "broker.example"


def test_target_without_exchange_uses_the_default_exchange():
    a = addressing.Addresser(addressing.get_profile("rabbitmq"), "nova")
    assert a.send_address(messaging.Target(topic="t")) == (
        "/queue/nova.t", True)


def test_templates_can_be_overridden():
    profile = addressing.get_profile(
        "qpid", fanout="multicast/{exchange}/{topic}", reply="")
    a = addressing.Addresser(profile, "nimbus")
    assert a.send_address(FANOUT) == ("multicast/nimbus/compute", False)
    # An empty override keeps the profile's own template.
    assert a.reply_address("x") == "broadcast.nimbus.reply.x"


@pytest.mark.parametrize("kind, template, message", [
    ("server", "/queue/{exchange}.{topic}", "must contain {server}"),
    ("reply", "/queue/replies", "must contain {reply_id}"),
    ("anycast", "/queue/{server}", "unknown field"),
    ("fanout", "/x/{nope}", "unknown field"),
])
def test_bad_templates_are_refused(kind, template, message):
    with pytest.raises(ValueError, match=message):
        addressing.get_profile("rabbitmq", **{kind: template})


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown addressing profile"):
        addressing.get_profile("zeromq")


def test_hosts_from_url_several_brokers_and_default_ports():
    url = messaging.TransportURL.parse(
        cfg.CONF, "qpid://u1:p1@b1:5673,u2:p2@b2/vh")
    hosts = driver.hosts_from_url(url, tls=False)
    assert [(h.hostname, h.port, h.username, h.password) for h in hosts] == [
        ("b1", 5673, "u1", "p1"), ("b2", 5672, "u2", "p2")]
    assert url.virtual_host == "vh"
    tls = driver.hosts_from_url(
        messaging.TransportURL.parse(cfg.CONF, "amqp1://b3/"), tls=True)
    assert [(h.hostname, h.port, h.username) for h in tls] == [
        ("b3", 5671, None)]


def test_url_without_host_is_refused():
    url = messaging.TransportURL.parse(cfg.CONF, "qpid:///")
    with pytest.raises(messaging.InvalidTransportURL, match="broker host"):
        driver.hosts_from_url(url, tls=False)


def test_both_driver_names_are_registered():
    import importlib.metadata
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(
        group="oslo.messaging.drivers")}
    target = "nimbus.plugins.transports.qpid.driver:QpidDriver"
    assert eps.get("qpid") == target
    assert eps.get("amqp1") == target
