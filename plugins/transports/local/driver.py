"""``local://``: every service of one process (``nimbus-all``) on
in-memory queues, woken by events instead of polling.

oslo.messaging's ``fake://`` driver has each listener look at its queues
every 50 ms: with 100 fake hosts in one process that is thousands of
wake-ups a second while nothing happens, each fighting the request
threads for the GIL, and up to 50 ms more per RPC hop. ``local://`` keeps
the fake driver's queues (a topic queue per pool, a queue per server,
fanout to every server of a topic, notifications) and wakes exactly the
listeners whose queue received a message.

It also hands messages over as a broker would: every message, reply and
context is delivered as its JSON round trip (a receiver never shares the
sender's objects), and an exception raised by an RPC endpoint reaches the
caller serialized and rebuilt as oslo.messaging's drivers do it (only
``allowed_remote_exmods`` come back as themselves). So what works over
``local://`` in one process works over RabbitMQ between processes.
"""

import collections
import queue
import threading
import time

import oslo_messaging as messaging
from oslo_messaging._drivers import base, common
from oslo_serialization import jsonutils


def _round_trip(value):
    return jsonutils.loads(jsonutils.dumps(value))


class _Incoming(base.RpcIncomingMessage):
    """A delivered message; a call's reply goes back serialized."""

    def __init__(self, ctxt, message, reply_q, requeue, server=None):
        super().__init__(ctxt, message)
        self._requeue = requeue
        self._reply_q = reply_q
        #: the server the message was addressed to when it reached the
        #: listener through a binding (:meth:`_Exchange.bind`), else None.
        self.server = server

    def reply(self, reply=None, failure=None):
        if self._reply_q is None:
            return
        if failure is not None:
            self._reply_q.put((None, jsonutils.dumps(
                common.serialize_remote_exception(failure))))
        else:
            self._reply_q.put((jsonutils.dumps(reply), None))

    def requeue(self):
        self._requeue()

    def heartbeat(self):
        """Nothing to keep alive in one process."""


class _Exchange:
    """The queues of one exchange and the listeners waiting on them.

    Queues are keyed ``("server", topic, server)`` and ``("topic", topic,
    pool)``; a listener's :class:`threading.Event` is set when any of the
    queues it watches receives a message.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._queues = collections.defaultdict(collections.deque)
        self._watchers = collections.defaultdict(set)
        #: ("server", topic, host) -> the ("server", topic, name) queue
        #: that takes its messages (one listener for many servers).
        self._bound = {}

    @staticmethod
    def key(target, pool=None):
        if target.server:
            return ("server", target.topic, target.server)
        return ("topic", target.topic, pool)

    def watch(self, key, event):
        with self._lock:
            self._queues[key]  # a topic queue exists once someone listens
            self._watchers[key].add(event)

    def unwatch(self, key, event):
        with self._lock:
            self._watchers[key].discard(event)

    def bind(self, topic, name, hosts):
        """Route what is sent to server ``host`` of ``topic``, for each
        of ``hosts``, into the queue of server ``name`` (as one RabbitMQ
        queue bound under many routing keys); each message remembers
        its host (``_Incoming.server``). Fanout reaches each host once."""
        with self._lock:
            for host in hosts:
                self._bound[("server", topic, host)] = ("server", topic, name)

    def unbind(self, topic, hosts):
        with self._lock:
            for host in hosts:
                self._bound.pop(("server", topic, host), None)

    def deliver(self, topic, ctxt, message, server=None, fanout=False,
                reply_q=None):
        ctxt_text, text = jsonutils.dumps(ctxt), jsonutils.dumps(message)

        def requeue():
            self.deliver(topic, ctxt, message, server=server,
                         fanout=fanout, reply_q=reply_q)
        with self._lock:
            if fanout:
                # a queue that bound servers feed gets its fanout copies
                # through the bindings, one per server
                feeding = set(self._bound.values())
                keys = [(k, None) for k in self._queues
                        if k[0] == "server" and k[1] == topic
                        and k not in feeding]
                keys += [(to, key[2]) for key, to in self._bound.items()
                         if key[1] == topic]
            elif server is not None:
                key = ("server", topic, server)
                keys = [(self._bound[key], server)] if key in self._bound \
                    else [(key, None)]
            else:
                # Every pool's topic queue gets its copy; the default
                # pool's always (it holds messages until a listener comes).
                keys = [(k, None) for k in {("topic", topic, None)} | {
                    k for k in self._queues
                    if k[0] == "topic" and k[1] == topic}]
            for key, bound_to in keys:
                self._queues[key].append((
                    jsonutils.loads(ctxt_text), jsonutils.loads(text),
                    reply_q, requeue, bound_to))
                for event in self._watchers.get(key, ()):
                    event.set()

    def drop_messages(self):
        """Forget every queued message; listeners keep watching."""
        with self._lock:
            for queue_ in self._queues.values():
                queue_.clear()

    def take(self, key):
        with self._lock:
            queue_ = self._queues.get(key)
            return queue_.popleft() if queue_ else None


class _Exchanges:
    """Exchanges by name, shared by every ``local://`` transport of the
    process (as a broker is shared by every connection to it)."""

    _lock = threading.Lock()
    _by_name = {}

    def __init__(self, default_exchange):
        self._default = default_exchange

    def get(self, name):
        with self._lock:
            return self._by_name.setdefault(name or self._default,
                                            _Exchange())

    @classmethod
    def drop_messages(cls):
        """Forget every queued message of the process. The exchanges
        stay: a listener of another transport in the same process keeps
        its queues (as ``fake://``, where listeners look their exchange
        up at every poll)."""
        with cls._lock:
            exchanges = list(cls._by_name.values())
        for exchange in exchanges:
            exchange.drop_messages()


class _Listener(base.PollStyleListener):
    """Takes messages from its queues; sleeps until one arrives."""

    def __init__(self, exchanges, targets, pool=None):
        super().__init__()
        self._watched = [(exchanges.get(t.exchange),
                          _Exchange.key(t, pool)) for t in targets]
        self._wake = threading.Event()
        self._stopped = threading.Event()
        for exchange, key in self._watched:
            exchange.watch(key, self._wake)

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            # Cleared before looking, so a message delivered after the
            # look sets it again and the wait below returns at once.
            self._wake.clear()
            for exchange, key in self._watched:
                item = exchange.take(key)
                if item is not None:
                    return _Incoming(*item)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            self._wake.wait(left)
        return None

    def stop(self):
        self._stopped.set()
        self._wake.set()

    def cleanup(self):
        for exchange, key in self._watched:
            exchange.unwatch(key, self._wake)


class LocalDriver(base.BaseDriver):
    """The oslo.messaging driver of ``local://`` URLs."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._exchanges = _Exchanges(default_exchange)

    def require_features(self, requeue=True):
        pass

    def send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
             call_monitor_timeout=None, retry=None, transport_options=None):
        reply_q = queue.Queue() if wait_for_reply else None
        self._exchanges.get(target.exchange).deliver(
            target.topic, ctxt, message, server=target.server,
            fanout=target.fanout, reply_q=reply_q)
        if reply_q is None:
            return None
        try:
            reply, failure = reply_q.get(timeout=timeout)
        except queue.Empty:
            raise messaging.MessagingTimeout(
                f"No reply on topic {target.topic}") from None
        if failure is not None:
            raise common.deserialize_remote_exception(
                jsonutils.loads(failure), self._allowed_remote_exmods)
        return jsonutils.loads(reply)

    def send_notification(self, target, ctxt, message, version, retry=None):
        self._exchanges.get(target.exchange).deliver(
            target.topic, ctxt, message)

    def bind_servers(self, target, hosts):
        """Deliver what is sent to ``compute.<host>`` (``target.topic``,
        for each of ``hosts``) to the listener of ``target`` (its
        ``server`` the process's own name). nimbus's compute fleet serves
        thousands of virtual hosts through one listener this way."""
        self._exchanges.get(target.exchange).bind(
            target.topic, target.server, hosts)

    def unbind_servers(self, target, hosts):
        self._exchanges.get(target.exchange).unbind(target.topic, hosts)

    def listen(self, target, batch_size, batch_timeout):
        exchange = target.exchange or self._default_exchange
        listener = _Listener(self._exchanges, [
            messaging.Target(topic=target.topic, server=target.server,
                             exchange=exchange),
            messaging.Target(topic=target.topic, exchange=exchange)])
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        listener = _Listener(self._exchanges, [
            messaging.Target(topic=f"{target.topic}.{priority}",
                             exchange=target.exchange)
            for target, priority in targets_and_priorities], pool)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def cleanup(self):
        """Drop every queued message of the process, as ``fake://`` does:
        what a transport leaves must not reach the services of the next
        one (an embedded cloud started after another in one process)."""
        _Exchanges.drop_messages()
