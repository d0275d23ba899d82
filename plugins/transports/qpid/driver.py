"""oslo.messaging driver for AMQP 1.0 brokers, on python-qpid-proton.

Registered in the ``oslo.messaging.drivers`` entry-point group as ``qpid``
and ``amqp1``, so ``transport_url = qpid://user:pass@host:5672/vhost`` (or
``amqp1://...``; several ``user:pass@host:port`` separated by commas for
fail-over) selects it with no other change. No eventlet: servers use
oslo.messaging's threading executor.

Wire format: the AMQP body is a JSON string ``{"ctxt": ..., "msg": ...}``;
``message_id`` is unique per send (receivers drop redeliveries they have
already handled), a call carries ``reply_to`` and ``correlation_id``, and
its expiry time in the application properties (servers drop calls whose
caller has given up). A reply is ``{"result": ..., "failure": ...}`` or a
heartbeat ``{"heartbeat": true}`` that keeps a monitored call alive.
"""

import collections
import logging
import queue
import threading
import time
import uuid

import oslo_messaging as messaging
from oslo_messaging import exceptions
from oslo_messaging._drivers import base, common
from oslo_serialization import jsonutils
from proton import Delivery, Message

from nimbus.plugins.transports.qpid import addressing, work
from nimbus.plugins.transports.qpid import conf as qpid_conf
from nimbus.plugins.transports.qpid import loop as amqp_loop
from nimbus.plugins.transports.qpid import tls as qpid_tls

LOG = logging.getLogger(__name__)

DEFAULT_PORT = 5672
DEFAULT_TLS_PORT = 5671
#: Message ids a listener remembers to drop redeliveries.
SEEN_IDS = 4096
_EXPIRES = "x-nimbus-expires"
_CALL_MONITOR = "x-nimbus-call-monitor"


def _truthy(value):
    return str(value).lower() in ("1", "true", "yes", "on")


def hosts_from_url(url, tls):
    """The :class:`~.work.Host` list of an oslo.messaging TransportURL."""
    hosts = []
    for h in url.hosts:
        if not h.hostname:
            raise messaging.InvalidTransportURL(
                str(url), "a qpid:// or amqp1:// URL needs a broker host")
        hosts.append(work.Host(
            h.hostname, h.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
            h.username, h.password))
    if not hosts:
        raise messaging.InvalidTransportURL(
            str(url), "a qpid:// or amqp1:// URL needs a broker host")
    return hosts


class _Incoming(base.RpcIncomingMessage):
    """A request (call, cast or notification) handed to a server."""

    def __init__(self, listener, token, ctxt, message, msg_id, reply_to,
                 correlation_id, client_timeout):
        super().__init__(ctxt, message, msg_id)
        self._listener = listener
        self._token = token
        self._reply_to = reply_to
        self._correlation_id = correlation_id
        self.client_timeout = client_timeout

    def acknowledge(self):
        # A call's reply follows right away and wakes the loop for both.
        self._listener.driver.loop.settle(self._token, Delivery.ACCEPTED,
                                          wake=not self._reply_to)

    def requeue(self):
        self._listener.forget(self.msg_id)
        self._listener.driver.loop.settle(self._token, Delivery.RELEASED)

    def reply(self, reply=None, failure=None):
        if not self._reply_to:
            return
        if failure is not None:
            failure = common.serialize_remote_exception(failure)
        self._send_reply({"result": reply, "failure": failure})

    def heartbeat(self):
        if self._reply_to:
            self._send_reply({"heartbeat": True})

    def _send_reply(self, body):
        msg = Message(body=jsonutils.dumps(body),
                      correlation_id=self._correlation_id,
                      content_type="application/json")
        # At most once: replies are not waited for, and not retried past
        # one reconnection (the caller times out if it is lost).
        self._listener.driver.loop.send(self._reply_to, msg, retries=1,
                                        deadline=time.monotonic() + 30,
                                        presettled=True)


class _Listener(base.PollStyleListener):
    """Messages of a set of subscriptions, polled by one server thread."""

    def __init__(self, driver, addresses, prefetch):
        super().__init__(prefetch_size=prefetch)
        self.driver = driver
        self._queue = queue.Queue()
        self._stopped = threading.Event()
        self._seen = collections.OrderedDict()
        self._seen_lock = threading.Lock()
        self._subs = [
            work.Subscription(address, durable, prefetch,
                                   self._on_message)
            for address, durable in addresses]
        for sub in self._subs:
            driver.loop.subscribe(sub)

    def wait_active(self, timeout):
        """Block until the broker attached every subscription."""
        deadline = time.monotonic() + timeout
        for sub in self._subs:
            if not sub.active.wait(max(0, deadline - time.monotonic())):
                return False
        return True

    def forget(self, msg_id):
        with self._seen_lock:
            self._seen.pop(msg_id, None)

    def _duplicate(self, msg_id):
        with self._seen_lock:
            if msg_id in self._seen:
                return True
            self._seen[msg_id] = None
            if len(self._seen) > SEEN_IDS:
                self._seen.popitem(last=False)
            return False

    def _on_message(self, token, message):
        """Loop thread: decode and queue, or settle right away what is
        not for a server (duplicates, garbage, expired calls)."""
        loop = self.driver.loop
        msg_id = str(message.id) if message.id is not None else None
        if msg_id and self._duplicate(msg_id):
            LOG.debug("dropping redelivered message %s", msg_id)
            loop.settle(token, Delivery.ACCEPTED)
            return
        try:
            body = jsonutils.loads(message.body)
            ctxt, msg = body["ctxt"], body["msg"]
        except (TypeError, ValueError, KeyError):
            LOG.error("dropping a message that is not a nimbus AMQP 1.0 "
                      "request: %.200r", message.body)
            loop.settle(token, Delivery.REJECTED)
            return
        props = message.properties or {}
        expires = props.get(_EXPIRES)
        if message.reply_to and expires and expires < time.time():
            LOG.info("dropping call %s: its caller gave up %.1f s ago",
                     msg_id, time.time() - expires)
            loop.settle(token, Delivery.ACCEPTED)
            return
        self._queue.put(_Incoming(
            self, token, ctxt, msg, msg_id, message.reply_to,
            message.correlation_id, props.get(_CALL_MONITOR)))

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            wait = 1.0 if deadline is None else min(
                1.0, deadline - time.monotonic())
            if wait <= 0:
                return None
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                continue
            if item is not None:
                return item
        return None

    def stop(self):
        self._stopped.set()
        self._queue.put(None)

    def cleanup(self):
        events = [self.driver.loop.unsubscribe(sub) for sub in self._subs]
        for event in events:
            event.wait(5)


class _ReplyWaiter:
    """The caller side of RPC: one reply subscription per transport and
    a queue per outstanding call, keyed by correlation id."""

    def __init__(self, driver):
        self.address = driver.addresser.reply_address(uuid.uuid4().hex)
        self._waiters = {}
        self._lock = threading.Lock()
        self._sub = work.Subscription(
            self.address, False, 512, self._on_reply, auto_accept=True)
        driver.loop.subscribe(self._sub)

    def wait_active(self, timeout):
        return self._sub.active.wait(timeout)

    def register(self, msg_id):
        q = queue.Queue()
        with self._lock:
            self._waiters[msg_id] = q
        return q

    def unregister(self, msg_id):
        with self._lock:
            self._waiters.pop(msg_id, None)

    def _on_reply(self, token, message):
        with self._lock:
            q = self._waiters.get(str(message.correlation_id))
        if q is None:
            LOG.debug("dropping a reply nobody waits for (%s)",
                      message.correlation_id)
            return
        try:
            q.put(jsonutils.loads(message.body))
        except (TypeError, ValueError):
            LOG.error("dropping an unreadable reply: %.200r", message.body)


class QpidDriver(base.BaseDriver):
    """AMQP 1.0 driver: RPC (call, cast, fan-out) and notifications."""

    prefetch_size = 0

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        qpid_conf.register_opts(conf)
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        opts = conf.oslo_messaging_qpid
        overrides = {kind: getattr(opts, f"{kind}_address")
                     for kind in addressing.KINDS}
        try:
            profile = addressing.get_profile(opts.addressing, **overrides)
        except ValueError as exc:
            raise messaging.InvalidTransportURL(str(url), str(exc)) from exc
        self.addresser = addressing.Addresser(profile, default_exchange)
        self._opts = opts
        query = url.query or {}
        tls = opts.ssl or _truthy(query.get("ssl", "false"))
        domain = None
        if tls:
            domain = qpid_tls.ssl_domain(
                opts.ssl_ca_file, opts.ssl_cert_file, opts.ssl_key_file,
                opts.ssl_key_password, opts.ssl_verify_hostname)
        vhost = url.virtual_host or None
        self.loop = amqp_loop.Loop(
            hosts_from_url(url, tls),
            lambda host: self.addresser.open_hostname(vhost, host),
            ssl_domain=domain,
            allowed_mechs=opts.sasl_mechanisms,
            allow_insecure=opts.sasl_allow_insecure,
            idle_timeout=opts.idle_timeout,
            connect_timeout=opts.connect_timeout,
            retry_interval=opts.connection_retry_interval,
            retry_interval_max=opts.connection_retry_interval_max,
            name=f"amqp1-{uuid.uuid4().hex[:8]}")
        self._reply = None
        self._reply_lock = threading.Lock()

    def require_features(self, requeue=False):
        pass  # requeue is a RELEASED disposition

    # -- sending --------------------------------------------------------

    def _reply_waiter(self):
        with self._reply_lock:
            if self._reply is None:
                self._reply = _ReplyWaiter(self)
            return self._reply

    @staticmethod
    def _message(ctxt, message, durable):
        return Message(
            id=uuid.uuid4().hex, durable=durable,
            body=jsonutils.dumps({"ctxt": ctxt, "msg": message}),
            content_type="application/json")

    @staticmethod
    def _retries(retry):
        return None if retry is None or retry < 0 else retry

    def send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
             call_monitor_timeout=None, retry=None, transport_options=None):
        address, is_queue = self.addresser.send_address(target)
        durable_queue = is_queue and self._opts.durable_queues
        if not wait_for_reply:
            msg = self._message(ctxt, message, durable_queue)
            self._wait_sent(self.loop.send(
                address, msg, durable=durable_queue,
                deadline=timeout and time.monotonic() + timeout,
                retries=self._retries(retry)), timeout, target)
            return None
        return self._call(target, address, durable_queue, ctxt, message,
                          timeout, call_monitor_timeout, retry)

    def _call(self, target, address, durable_queue, ctxt, message, timeout,
              call_monitor_timeout, retry):
        start = time.monotonic()
        waiter = self._reply_waiter()
        msg = self._message(ctxt, message, False)
        msg.reply_to = waiter.address
        msg.correlation_id = msg.id
        props = {}
        if timeout:
            props[_EXPIRES] = time.time() + timeout
        if call_monitor_timeout:
            props[_CALL_MONITOR] = call_monitor_timeout
        msg.properties = props
        replies = waiter.register(msg.id)
        try:
            deadline = start + timeout if timeout else None
            if not waiter.wait_active(self._left(deadline, 30)):
                raise exceptions.MessagingTimeout(
                    f"Timed out waiting for the reply link on topic "
                    f"{target.topic} (broker unreachable?)")
            failure = []

            def sent(op, error):
                if error is not None:
                    failure.append(error)
                    replies.put(None)
            self.loop.send(address, msg, durable=durable_queue,
                           deadline=deadline, retries=self._retries(retry),
                           on_done=sent, presettled=True)
            monitor = call_monitor_timeout
            monitor_deadline = (time.monotonic() + monitor) if monitor \
                else None
            while True:
                wait = self._left(deadline, None)
                if monitor_deadline is not None:
                    wait = min(wait if wait is not None else monitor,
                               max(0, monitor_deadline - time.monotonic()))
                try:
                    reply = replies.get(timeout=wait)
                except queue.Empty:
                    raise exceptions.MessagingTimeout(
                        f"Timed out waiting for a reply to message ID "
                        f"{msg.id} on topic {target.topic}") from None
                if reply is None:
                    raise exceptions.MessageDeliveryFailure(
                        f"Could not send the call to topic {target.topic}: "
                        f"{failure[0] if failure else 'unknown error'}")
                if reply.get("heartbeat"):
                    if monitor:
                        monitor_deadline = time.monotonic() + monitor
                    continue
                if reply.get("failure"):
                    raise common.deserialize_remote_exception(
                        reply["failure"], self._allowed_remote_exmods)
                return reply.get("result")
        finally:
            waiter.unregister(msg.id)

    @staticmethod
    def _left(deadline, default):
        if deadline is None:
            return default
        return max(0.0, deadline - time.monotonic())

    def _wait_sent(self, op, timeout, target):
        """Block until ``op`` is handed to a live broker connection (the
        broker's acceptance is then awaited by the loop, which sends it
        again after a reconnection): the back-pressure of a cast."""
        if not op.handed.wait(timeout):
            raise exceptions.MessagingTimeout(
                f"Timed out sending to topic {target.topic}: broker "
                f"unreachable")
        if op.error is not None:
            if "timed out" in str(op.error):
                raise exceptions.MessagingTimeout(str(op.error))
            raise exceptions.MessageDeliveryFailure(str(op.error))

    def send_notification(self, target, ctxt, message, version, retry=None):
        address = self.addresser.notify_address(target)
        durable = self._opts.durable_queues
        # The JSON body is the envelope already: ``version`` (oslo's
        # wrapping of 0-9-1 payloads) does not apply.
        msg = self._message(ctxt, message, durable)
        self._wait_sent(self.loop.send(address, msg, durable=durable,
                                       retries=self._retries(retry)),
                        None, target)

    # -- receiving ------------------------------------------------------

    def listen(self, target, batch_size, batch_timeout):
        listener = _Listener(self, self.addresser.listen_addresses(target),
                             self._opts.prefetch)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        if pool:
            raise NotImplementedError(
                "notification listener pools are not supported by the "
                "AMQP 1.0 driver (every listener shares the topic queue)")
        addresses = [(self.addresser.notify_address(target, priority),
                      self._opts.durable_queues)
                     for target, priority in targets_and_priorities]
        listener = _Listener(self, addresses, self._opts.prefetch)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def cleanup(self):
        self.loop.stop()
