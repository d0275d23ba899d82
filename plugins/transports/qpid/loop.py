"""The AMQP 1.0 connection of one transport, run by its own thread.

Proton objects are not thread-safe, so exactly one thread (the *loop*,
a proton :class:`~proton.reactor.Container`) touches them. Other threads
hand it work through :meth:`Loop.submit`, which wakes the container through
an :class:`~proton.reactor.EventInjector` (a pipe).

The loop keeps one connection up: when it drops (broker restart, network
error, missed heartbeats) it reconnects with exponential back-off, moving
to the next host of the transport URL at every attempt, and re-attaches
every subscription. Sends made while it is down wait for the connection
(bounded by their own deadline and retry count); a send that was on the
wire but not yet settled when the connection dropped is sent again, so
delivery is at-least-once and receivers drop duplicates by message id.
"""

import collections
import itertools
import logging
import threading
import time
import uuid

from proton import Delivery, Endpoint, Handler, Message, Terminus
from proton.reactor import ApplicationEvent, Container, EventInjector

from nimbus.plugins.transports.qpid import receiving, work

LOG = logging.getLogger(__name__)

#: Sender links kept open per connection; the least recently used one is
#: closed beyond this (reply addresses of callers that went away).
MAX_SENDERS = 256
#: Seconds within which a task submitted without wake-up runs anyway.
FLUSH_INTERVAL = 0.5
#: A connection that stayed up this long (seconds) resets the back-off.
STABLE_AFTER = 5.0


class _Timer:
    def __init__(self, callback):
        self.callback = callback

    def on_timer_task(self, event):
        self.callback()


class Loop(receiving.Receiving, Handler):
    """Owns the container thread, the connection and every link.

    A plain proton :class:`~proton.Handler` on the raw endpoint and
    delivery events: proton's MessagingHandler would dispatch each event
    through four more handlers, which cost a third of the CPU of a call.
    """

    def __init__(self, hosts, hostname_for, ssl_domain=None, user=None,
                 allowed_mechs="PLAIN ANONYMOUS", allow_insecure=True,
                 idle_timeout=16, connect_timeout=10.0, retry_interval=0.5,
                 retry_interval_max=8.0, name="nimbus-amqp1"):
        super().__init__()
        if not hosts:
            raise ValueError("at least one broker host is needed")
        self.hosts = list(hosts)
        self._hostname_for = hostname_for
        self._ssl_domain = ssl_domain
        self._allowed_mechs = allowed_mechs
        self._allow_insecure = allow_insecure
        self._idle_timeout = idle_timeout
        self._connect_timeout = connect_timeout
        self._retry_interval = retry_interval
        self._retry_interval_max = retry_interval_max
        self._host_cycle = itertools.cycle(range(len(self.hosts)))

        self._lock = threading.Lock()
        self._tasks = []
        self._woken = False
        self._injector = EventInjector()
        self._container = Container(self)
        self._container.container_id = name

        # Everything below is touched by the loop thread only.
        self._conn = None
        self._generation = 0
        self._up = False
        self._attempt = 0
        self._opened_at = None
        self._stopping = False
        self._senders = collections.OrderedDict()  # address -> Sender
        self._unsettled = {}        # Delivery -> work.Send
        self._waiting = collections.deque()  # work.Send not on the wire yet
        self._subs = []
        self._by_link = {}          # Receiver -> Subscription

        self.connected = threading.Event()
        self.connections = 0        # successful opens so far (for tests)
        self.last_host = None
        self._thread = threading.Thread(target=self._run, name=name,
                                        daemon=True)
        self._thread.start()

    # -- called from any thread ---------------------------------------

    def submit(self, task, wake=True):
        """Run ``task()`` on the loop thread: soon, or with ``wake=False``
        at the next wake-up (another submit, or within
        :data:`FLUSH_INTERVAL`), which saves a wake-up when one is
        known to follow."""
        with self._lock:
            self._tasks.append(task)
            if self._woken or not wake:
                return
            self._woken = True
        self._injector.trigger(ApplicationEvent("nimbus_work"))

    def send(self, address, message, durable=False, deadline=None,
             retries=None, on_done=None, presettled=False):
        """Queue ``message`` for ``address``; returns a :class:`~.work.Send`
        whose ``event`` is set once the broker settled it (``error`` is
        None when it accepted it). ``retries`` bounds how many lost
        connections the send survives (None: any number). A
        ``presettled`` message is sent at most once: done once written,
        never sent again (calls and replies, whose caller times out)."""
        op = work.Send(address, durable, message, deadline, retries, on_done,
                   presettled)
        self.submit(lambda: self._send(op))
        return op

    def subscribe(self, subscription):
        self.submit(lambda: self._subscribe(subscription))
        return subscription

    def unsubscribe(self, subscription):
        done = threading.Event()

        def task():
            self._unsubscribe(subscription)
            done.set()
        self.submit(task)
        return done

    def settle(self, token, outcome=Delivery.ACCEPTED, wake=True):
        """Settle a delivery handed out by a subscription (ack/requeue);
        a no-op when the connection it came on is gone (the broker
        redelivers it then). See :meth:`submit` for ``wake``."""
        self.submit(lambda: self._settle(token, outcome), wake=wake)

    def stop(self, timeout=10):
        """Close the connection and end the thread, after giving sends
        already handed over a few seconds to be settled."""
        if not self._thread.is_alive():
            return
        deadline = time.monotonic() + min(5, timeout)
        while (self._unsettled or self._waiting) and self.connected.is_set() \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        self.submit(self._shutdown)
        self._thread.join(timeout)

    # -- the loop thread ----------------------------------------------

    def _run(self):
        try:
            self._container.run()
        except Exception:  # pragma: no cover - last resort logging
            LOG.exception("AMQP 1.0 loop died")
        finally:
            self.connected.clear()
            for op in list(self._unsettled.values()) + list(self._waiting):
                op.finish(work.SendError("transport stopped"))

    def on_reactor_init(self, event):
        event.container.selectable(self._injector)
        self._connect()
        self._flush()

    def _flush(self):
        """Run tasks submitted without a wake-up, every FLUSH_INTERVAL."""
        if self._stopping:
            return
        if self._tasks:
            self.on_nimbus_work(None)
        self._container.schedule(FLUSH_INTERVAL, _Timer(self._flush))

    def on_nimbus_work(self, event):
        with self._lock:
            tasks, self._tasks = self._tasks, []
            self._woken = False
        for task in tasks:
            try:
                task()
            except Exception:
                LOG.exception("AMQP 1.0 loop task failed")

    def _shutdown(self):
        self._stopping = True
        self._up = False
        self.connected.clear()
        if self._conn is not None:
            self._conn.close()
        self._injector.close()
        for op in list(self._unsettled.values()) + list(self._waiting):
            op.finish(work.SendError("transport stopped"))
        self._unsettled.clear()
        self._waiting.clear()
        self._container.stop()

    # connection life cycle

    def _connect(self):
        if self._stopping:
            return
        host = self.hosts[next(self._host_cycle)]
        self.last_host = host
        scheme = "amqps" if self._ssl_domain else "amqp"
        url = f"{scheme}://{host.hostname}:{host.port}"
        kwargs = {"reconnect": False, "sasl_enabled": True,
                  "allowed_mechs": ("PLAIN" if host.username
                                    else self._allowed_mechs),
                  "allow_insecure_mechs": self._allow_insecure,
                  "virtual_host": self._hostname_for(host.hostname)}
        if host.username:
            kwargs.update(user=host.username, password=host.password or "")
        if self._idle_timeout:
            kwargs["heartbeat"] = self._idle_timeout
        if self._ssl_domain:
            kwargs["ssl_domain"] = self._ssl_domain
            kwargs["sni"] = host.hostname
        self._generation += 1
        generation = self._generation
        LOG.debug("connecting to %s (attempt %d)", host, self._attempt + 1)
        self._conn = self._container.connect(url, **kwargs)
        self._container.schedule(
            self._connect_timeout,
            _Timer(lambda: self._connect_timed_out(generation)))

    def _connect_timed_out(self, generation):
        if generation == self._generation and not self._up \
                and self._conn is not None:
            LOG.warning("connection to %s timed out", self.last_host)
            self._drop_connection()

    def on_connection_remote_open(self, event):
        if event.connection != self._conn:
            return
        self._up = True
        self._opened_at = time.monotonic()
        self.connections += 1
        LOG.info("connected to AMQP 1.0 broker %s", self.last_host)
        for sub in self._subs:
            self._attach(sub)
        waiting, self._waiting = self._waiting, collections.deque()
        for op in waiting:
            self._send(op)
        self.connected.set()

    def on_connection_remote_close(self, event):
        conn = event.connection
        if conn.remote_condition:
            LOG.warning("broker %s closed the connection: %s",
                        self.last_host, conn.remote_condition)
        if conn.state & Endpoint.LOCAL_ACTIVE:
            conn.close()
        if conn == self._conn:
            self._lost()

    def on_session_remote_close(self, event):
        session = event.session
        LOG.warning("broker %s ended the session: %s", self.last_host,
                    session.remote_condition)
        if session.state & Endpoint.LOCAL_ACTIVE:
            session.close()
        # Links live in the connection's one session: start afresh.
        if session.connection == self._conn:
            self._drop_connection()

    def on_transport_error(self, event):
        cond = event.transport.condition
        if not self._stopping:
            LOG.warning("AMQP 1.0 connection to %s failed: %s",
                        self.last_host, cond and cond.description)

    def on_transport_closed(self, event):
        if event.connection is not None and event.connection == self._conn:
            self._lost()

    def _drop_connection(self):
        conn = self._conn
        if conn is None:
            return
        try:
            conn.close()
            if conn.transport is not None:
                conn.transport.close_tail()
                conn.transport.close_head()
        except Exception:  # already torn down
            pass
        self._lost()

    def _lost(self):
        """The connection is gone: forget its links, put unsettled sends
        back in line and schedule the next attempt."""
        if self._conn is None:
            return
        was_up = self._up
        self._conn = None
        self._up = False
        self.connected.clear()
        self._senders.clear()
        self._by_link.clear()
        for sub in self._subs:
            sub.receiver = None
            sub.held.clear()
            sub.active.clear()
        resend = list(self._unsettled.values())
        self._unsettled.clear()
        now = time.monotonic()
        for op in resend + list(self._waiting):
            if op.retries is not None:
                op.retries -= 1
        self._waiting = collections.deque(
            op for op in itertools.chain(resend, self._waiting)
            if not self._give_up(op, now))
        if self._stopping:
            return
        if was_up and time.monotonic() - self._opened_at >= STABLE_AFTER:
            # It had been working: try again right away, then back off.
            self._attempt = 0
            delay = 0
        else:
            delay = min(self._retry_interval * (2 ** self._attempt),
                        self._retry_interval_max)
            self._attempt += 1
        if was_up:
            LOG.warning("lost the AMQP 1.0 connection to %s; reconnecting",
                        self.last_host)
        self._container.schedule(delay, _Timer(self._connect))

    def _give_up(self, op, now):
        if op.event.is_set():
            return True
        if op.expired(now):
            op.finish(work.SendError("timed out waiting for the broker"))
            return True
        if op.retries is not None and op.retries < 0:
            op.finish(work.SendError(
                "broker connection lost and no retry left"))
            return True
        return False

    # sending

    def _sender(self, address, durable):
        sender = self._senders.get(address)
        if sender is not None:
            self._senders.move_to_end(address)
            return sender
        sender = self._container.create_sender(
            self._conn, address, name=f"{address}-{uuid.uuid4().hex}")
        if durable:
            sender.target.durability = Terminus.DELIVERIES
        self._senders[address] = sender
        if len(self._senders) > MAX_SENDERS:
            _, old = self._senders.popitem(last=False)
            old.close()
        return sender

    def _send(self, op):
        if op.event.is_set():
            return
        if not self._up:
            if not self._give_up(op, time.monotonic()):
                self._waiting.append(op)
            return
        if op.expired(time.monotonic()):
            op.finish(work.SendError("timed out waiting for the broker"))
            return
        sender = self._sender(op.address, op.durable)
        delivery = sender.send(op.message)
        if op.presettled:
            delivery.settle()
            op.finish()
            return
        self._unsettled[delivery] = op
        if len(self._unsettled) <= work.IN_FLIGHT:
            op.handed.set()

    def on_delivery(self, event):
        # An exception here would end the container (and the transport).
        try:
            self._delivery(event.delivery)
        except Exception:
            LOG.exception("could not handle a delivery")

    def _delivery(self, delivery):
        link = delivery.link
        if link.is_receiver:
            if delivery.aborted:
                delivery.settle()
            elif delivery.readable and not delivery.partial:
                message = Message()
                message.decode(link.recv(delivery.pending))
                link.advance()
                self._received(link, delivery, message)
            return
        if delivery.updated and delivery.settled:  # settled by the broker
            self._settled(delivery)
            delivery.settle()

    def _settled(self, delivery):
        op = self._unsettled.pop(delivery, None)
        if op is None:
            return
        state = delivery.remote_state
        if state == Delivery.ACCEPTED:
            op.finish()
        else:
            cond = getattr(delivery, "remote_condition", None)
            op.finish(work.SendError(
                f"broker did not accept the message for {op.address}: "
                f"{state} {cond or ''}"))

    def on_link_remote_open(self, event):
        sub = self._by_link.get(event.link)
        if sub is not None:
            sub.active.set()

    def on_link_remote_close(self, event):
        link = event.link
        cond = link.remote_condition
        if cond:
            LOG.error("broker closed link %s: %s", link.target.address
                      if link.is_sender else link.source.address, cond)
        if link.state & Endpoint.LOCAL_ACTIVE:
            link.close()
        if link.is_sender:
            self._fail_sender(link, cond)
        else:
            self._receiver_closed(link)

    def _fail_sender(self, link, cond):
        for address, sender in list(self._senders.items()):
            if sender == link:
                del self._senders[address]
        for delivery, op in list(self._unsettled.items()):
            if delivery.link == link:
                del self._unsettled[delivery]
                op.finish(work.SendError(
                    f"broker refused link to {op.address}: {cond}"))
        if link.state & Endpoint.LOCAL_ACTIVE:
            link.close()

    def _receiver_closed(self, link):
        sub = self._by_link.pop(link, None)
        if sub is None or sub.closed:
            return
        sub.receiver = None
        sub.active.clear()
        if link.state & Endpoint.LOCAL_ACTIVE:
            link.close()
        if self._up:
            # The broker refused or dropped it; try again later.
            self._container.schedule(self._retry_interval_max, _Timer(
                lambda: self._up and sub.receiver is None
                and self._attach(sub)))
