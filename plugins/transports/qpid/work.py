"""What the AMQP 1.0 loop (:mod:`.loop`) is handed by other threads: the
brokers to reach, the sends on their way and the subscriptions it keeps
attached. Each is completed or fed by the loop thread only."""

import logging
import threading

LOG = logging.getLogger(__name__)

#: Sends that may await the broker's settlement before a sender who
#: only needs the hand-over (casts, notifications) is made to wait.
IN_FLIGHT = 256


class Host:
    """One broker of the transport URL."""

    def __init__(self, hostname, port, username=None, password=None):
        self.hostname = hostname
        self.port = port
        self.username = username
        self.password = password

    def __repr__(self):
        return f"{self.hostname}:{self.port}"


class SendError(Exception):
    """A send the broker refused, or that ran out of retries or time."""


class Send:
    """A message on its way; completed by the loop thread.

    ``handed`` is set once the message is written to a live connection
    while fewer than :data:`IN_FLIGHT` sends await the broker's
    settlement (or once it is settled); ``event`` once the broker settled
    it, ``error`` saying how. The loop keeps an op until it is settled and
    sends it again after a reconnection, whether or not anyone waits.
    """

    __slots__ = ("address", "durable", "message", "deadline", "retries",
                 "event", "handed", "error", "on_done", "presettled")

    def __init__(self, address, durable, message, deadline, retries,
                 on_done=None, presettled=False):
        self.presettled = presettled
        self.address = address
        self.durable = durable
        self.message = message
        self.deadline = deadline
        self.retries = retries
        self.event = threading.Event()
        self.handed = threading.Event()
        self.error = None
        self.on_done = on_done

    def finish(self, error=None):
        if self.event.is_set():
            return
        if error is not None and self.handed.is_set():
            LOG.error("message for %s lost after it was handed over: %s",
                      self.address, error)
        self.error = error
        self.event.set()
        self.handed.set()
        if self.on_done is not None:
            self.on_done(self, error)

    def expired(self, now):
        return self.deadline is not None and now >= self.deadline


class Subscription:
    """A consuming link the loop keeps attached across reconnects.

    ``on_message(token, message)`` runs on the loop thread for every
    delivery; it must be quick (put the message on a queue). ``token``
    identifies the delivery for :meth:`.loop.Loop.settle`.
    """

    def __init__(self, address, durable, credit, on_message,
                 auto_accept=False):
        self.address = address
        self.durable = durable
        self.credit = credit
        self.on_message = on_message
        self.auto_accept = auto_accept
        self.receiver = None
        self.active = threading.Event()
        self.held = set()   # deliveries handed out, not settled yet
        self.closed = False
