"""Where each kind of oslo.messaging traffic goes on an AMQP 1.0 broker.

AMQP 1.0 leaves node names to the broker, so every broker family spells
"a shared queue", "a copy for every subscriber" and "a private reply node"
differently. A :class:`Profile` is a set of address templates, one per kind
of traffic, filled from the target (``{exchange}``, ``{topic}``,
``{server}``) or the reply id (``{reply_id}``):

========= ============================================================
anycast   RPC to a topic: one of the topic's servers gets it (a queue)
server    RPC to one server of a topic (a queue)
fanout    RPC to every server of a topic (each subscriber gets a copy)
notify    notifications, stored until a listener takes them (a queue)
reply     the private node a caller's replies come back on
========= ============================================================

The built-in profiles match what the brokers expect out of the box:

* ``rabbitmq``: RabbitMQ's ``rabbitmq_amqp1_0`` plugin. ``/queue/Q``
  declares and uses queue ``Q``; a receiver on ``/exchange/X/K`` gets a
  private queue bound to exchange ``X`` with key ``K``. The plugin picks
  the virtual host from the connection's hostname ``vhost:NAME``.
* ``activemq`` (ActiveMQ "Classic" and Artemis, whose AMQP acceptor has
  ``anycastPrefix=queue://`` and ``multicastPrefix=topic://``): queues are
  ``queue://NAME``, publish/subscribe is ``topic://NAME``.
* ``qpid`` (qpidd with auto-create patterns, or a Qpid Dispatch router):
  plain names. qpidd needs ``--queue-patterns '^nimbus\\.'`` style
  patterns for the exchange prefix and ``--topic-patterns '^broadcast\\.'``
  for fan-out; a router needs ``broadcast`` as a multicast prefix.

Any template can be overridden in ``[oslo_messaging_qpid]``.
"""

import dataclasses
import string

KINDS = ("anycast", "server", "fanout", "notify", "reply")


@dataclasses.dataclass(frozen=True)
class Profile:
    """Address templates for one broker family."""

    name: str
    anycast: str
    server: str
    fanout: str
    notify: str
    reply: str
    #: How the virtual host travels in the AMQP open frame's hostname
    #: (``{vhost}`` is the URL's path); None sends the URL's host name.
    vhost_hostname: str | None = None

    def with_overrides(self, **templates):
        """A copy with the non-empty ``templates`` replacing the defaults."""
        changes = {k: v for k, v in templates.items() if v}
        for kind, template in changes.items():
            if kind not in KINDS:
                raise ValueError(f"unknown address kind {kind!r}")
            _check_template(kind, template)
        return dataclasses.replace(self, **changes)


PROFILES = {
    "rabbitmq": Profile(
        name="rabbitmq",
        anycast="/queue/{exchange}.{topic}",
        server="/queue/{exchange}.{topic}.{server}",
        fanout="/exchange/amq.direct/{exchange}.{topic}.fanout",
        notify="/queue/{exchange}.{topic}",
        reply="/exchange/amq.direct/{exchange}.reply.{reply_id}",
        vhost_hostname="vhost:{vhost}",
    ),
    "activemq": Profile(
        name="activemq",
        anycast="queue://{exchange}.{topic}",
        server="queue://{exchange}.{topic}.{server}",
        fanout="topic://{exchange}.{topic}.fanout",
        notify="queue://{exchange}.{topic}",
        reply="topic://{exchange}.reply.{reply_id}",
    ),
    "qpid": Profile(
        name="qpid",
        anycast="{exchange}.{topic}",
        server="{exchange}.{topic}.{server}",
        fanout="broadcast.{exchange}.{topic}",
        notify="{exchange}.{topic}",
        reply="broadcast.{exchange}.reply.{reply_id}",
    ),
}
PROFILES["artemis"] = dataclasses.replace(PROFILES["activemq"],
                                          name="artemis")

_FIELDS = {
    "anycast": {"exchange", "topic"},
    "server": {"exchange", "topic", "server"},
    "fanout": {"exchange", "topic"},
    "notify": {"exchange", "topic"},
    "reply": {"exchange", "reply_id"},
}


def _check_template(kind, template):
    used = {field for _, field, _, _ in string.Formatter().parse(template)
            if field is not None}
    unknown = used - _FIELDS[kind]
    if unknown:
        raise ValueError(
            f"{kind} address template {template!r} uses unknown field(s) "
            f"{sorted(unknown)}; allowed: {sorted(_FIELDS[kind])}")
    if kind == "server" and "server" not in used:
        raise ValueError(f"server address template {template!r} must "
                         "contain {server}")
    if kind == "reply" and "reply_id" not in used:
        raise ValueError(f"reply address template {template!r} must "
                         "contain {reply_id}")


def get_profile(name, **overrides):
    """Return the named profile with template overrides applied."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown addressing profile {name!r}; choose "
                         f"one of {sorted(PROFILES)}") from None
    return profile.with_overrides(**overrides)


class Addresser:
    """Turns oslo.messaging targets into node addresses of one profile."""

    def __init__(self, profile, default_exchange):
        self.profile = profile
        self.default_exchange = default_exchange or "openstack"

    def _exchange(self, target):
        return target.exchange or self.default_exchange

    def send_address(self, target):
        """``(address, is_queue)`` an RPC call or cast to ``target`` goes
        to; ``is_queue`` is False for the fan-out node."""
        exchange = self._exchange(target)
        if target.fanout:
            return self.profile.fanout.format(
                exchange=exchange, topic=target.topic), False
        if target.server:
            return self.profile.server.format(
                exchange=exchange, topic=target.topic,
                server=target.server), True
        return self.profile.anycast.format(exchange=exchange,
                                           topic=target.topic), True

    def listen_addresses(self, target):
        """``(address, is_queue)`` of every node an RPC server for
        ``target`` consumes from: the topic's shared queue, its own server
        queue (if it has a server name) and the fan-out node."""
        exchange = self._exchange(target)
        addresses = [(self.profile.anycast.format(
            exchange=exchange, topic=target.topic), True)]
        if target.server:
            addresses.append((self.profile.server.format(
                exchange=exchange, topic=target.topic,
                server=target.server), True))
        addresses.append((self.profile.fanout.format(
            exchange=exchange, topic=target.topic), False))
        return addresses

    def notify_address(self, target, priority=None):
        """The stored node of a notification topic (``topic.priority``
        when listening, the already-suffixed topic when sending)."""
        topic = f"{target.topic}.{priority}" if priority else target.topic
        return self.profile.notify.format(exchange=self._exchange(target),
                                          topic=topic)

    def reply_address(self, reply_id):
        return self.profile.reply.format(exchange=self.default_exchange,
                                         reply_id=reply_id)

    def open_hostname(self, vhost, host):
        """The hostname field of the AMQP open frame."""
        if vhost and self.profile.vhost_hostname:
            return self.profile.vhost_hostname.format(vhost=vhost)
        return host
