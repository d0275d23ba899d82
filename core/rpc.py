"""Messaging set-up: one transport per process, context-aware serializer.

``transport_url`` picks the backend: ``rabbit://`` for deployments,
``local://`` (:mod:`nimbus.plugins.transports.local`) for the embedded
single-process default. Servers use
oslo.messaging's threading executor; nothing here uses eventlet.

Clients are the broker's boundary for outages: a message that cannot be
handed to the broker within the client's ``retry`` reconnection attempts
(oslo.messaging's ``MessageDeliveryFailure``) leaves :func:`get_client`'s
client as :class:`~nimbus.core.exception.ServiceUnavailable`. With the
default ``retry=None`` a send waits for the broker to come back (what
services do with work they already accepted); the API's service APIs
pass ``[api] rpc_send_retries`` so a request answers 503 instead of
hanging.
"""

import contextlib

import kombu.exceptions
import oslo_messaging as messaging

from nimbus.core import context as nimbus_context
from nimbus.core import exception, executors
from nimbus.core.objects import base as objects_base

_STATE = {"transport": None}

DEFAULT_EXCHANGE = "nimbus"

# Exceptions that may cross RPC and be re-raised on the caller's side.
ALLOWED_EXMODS = ["nimbus.core.exception"]


def init(conf):
    """Create the process's RPC transport from ``transport_url``."""
    if _STATE["transport"] is None:
        messaging.set_transport_defaults(control_exchange=DEFAULT_EXCHANGE)
        _STATE["transport"] = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    return _STATE["transport"]


def cleanup():
    transport = _STATE["transport"]
    if transport is not None:
        transport.cleanup()
    _STATE["transport"] = None


def transport():
    if _STATE["transport"] is None:
        raise RuntimeError("nimbus.core.rpc.init() was not called")
    return _STATE["transport"]


#: leaves that neither serializer direction changes
_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None)})
#: the key that marks a dict as a serialized versioned object
_OBJECT_KEY = (objects_base.NimbusObject.OBJ_SERIAL_NAMESPACE + ".name")


def _plain(value):
    """Whether ``value`` is JSON data (str, int, float, bool, None in
    dicts and lists) holding no serialized object: what the object
    serializer would give back unchanged."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is dict:
            if _OBJECT_KEY in item:
                return False
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        else:
            return False
    return True


class RequestContextSerializer(messaging.Serializer):
    """Serialize the request context and versioned objects.

    Arguments and results that are plain JSON data (most of them: ids,
    VIF dicts, host lists) pass as they are: oslo.versionedobjects'
    serializer rebuilds every container of them, value by value, on
    both sides of every message (half of an in-process call's CPU).
    Anything else (objects, tuples, sets, datetimes) goes through it.
    """

    def __init__(self):
        self._base = objects_base.NimbusObjectSerializer()

    def serialize_entity(self, ctxt, entity):
        if _plain(entity):
            return entity
        return self._base.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt, entity):
        if _plain(entity):
            return entity
        return self._base.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return nimbus_context.RequestContext.from_dict(ctxt)


#: what a send raises when the broker cannot be reached: the driver's
#: own failure after its retries, or, when the connection pool has to
#: open a new connection, the socket's or kombu's connection error
#: (oslo.messaging's RabbitMQ driver does not wrap those).
_BROKER_FAILURES = (messaging.MessageDeliveryFailure, ConnectionError,
                    kombu.exceptions.OperationalError)


@contextlib.contextmanager
def _unavailable_on_broker_failure():
    try:
        yield
    except _BROKER_FAILURES as err:
        raise exception.ServiceUnavailable(
            backend="message broker") from err


class Client:
    """An oslo.messaging RPC client (or a prepared one) whose ``call``
    and ``cast`` raise :class:`ServiceUnavailable` when the broker cannot
    be reached; everything else is the wrapped client's."""

    def __init__(self, client):
        self._client = client

    def prepare(self, **kwargs):
        return Client(self._client.prepare(**kwargs))

    def call(self, ctxt, method, **kwargs):
        with _unavailable_on_broker_failure():
            return self._client.call(ctxt, method, **kwargs)

    def cast(self, ctxt, method, **kwargs):
        with _unavailable_on_broker_failure():
            self._client.cast(ctxt, method, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def get_client(target, version_cap=None, timeout=None, retry=None):
    """Return a :class:`Client` for ``target``.

    :param retry: reconnection attempts per message before giving up
        with :class:`ServiceUnavailable`; None waits for the broker.
    """
    return Client(messaging.get_rpc_client(
        transport(), target, version_cap=version_cap, timeout=timeout,
        retry=retry, serializer=RequestContextSerializer()))


class ContextScopedEndpoint:
    """An RPC endpoint whose methods leave no context behind.

    The serializer makes each message's context its thread's logging
    context (:meth:`RequestContextSerializer.deserialize_context`); the
    executor's threads are reused, so without this the next message's
    first lines (oslo.messaging's own, before its context is read) would
    carry the previous caller.
    """

    def __init__(self, endpoint):
        self._endpoint = endpoint

    def __getattr__(self, name):
        value = getattr(self._endpoint, name)
        if name.startswith("_") or name == "target" or not callable(value):
            return value

        def scoped(*args, **kwargs):
            try:
                return value(*args, **kwargs)
            finally:
                nimbus_context.clear_store()
        return scoped


def _served(endpoints, topic):
    from nimbus.core import metrics
    return [metrics.InstrumentedEndpoint(ContextScopedEndpoint(e), topic)
            for e in endpoints]


def get_server(target, endpoints):
    """Return an RPC server; oslo.messaging picks its threading executor
    because nothing in nimbus monkey-patches (checked by a test)."""
    return executors.adopt(messaging.get_rpc_server(
        transport(), target, _served(endpoints, target.topic),
        serializer=RequestContextSerializer()))


class _HostDispatcher:
    """Dispatches each message to the endpoints of the host it was sent
    to (``incoming.server``, set by the transport's binding)."""

    def __init__(self, topic, default=None):
        self._topic = topic
        self._by_host = {}
        self._default = None
        if default is not None:
            self._default = messaging.RPCDispatcher(
                _served(default, topic), RequestContextSerializer())

    def add(self, host, endpoints):
        self._by_host[host] = messaging.RPCDispatcher(
            _served(endpoints, self._topic), RequestContextSerializer())

    def remove(self, host):
        self._by_host.pop(host, None)

    def dispatch(self, incoming):
        server = getattr(incoming, "server", None)
        dispatcher = self._default if server is None else \
            self._by_host.get(server)
        if dispatcher is None:
            raise messaging.UnsupportedVersion(
                "no host", method=incoming.message.get("method"))
        return dispatcher.dispatch(incoming)


class FleetServer:
    """One RPC server answering ``topic.<host>`` for many hosts (the
    compute fleet, :mod:`nimbus.core.fleet`): one listener and one
    executor whatever the number of hosts. Needs a transport that can
    bind many servers to one queue: ``local://`` can
    (:meth:`LocalDriver.bind_servers`); others raise ``ValueError``.

    :param default: the endpoints that answer messages sent to the
        topic rather than to a host (the server listens on the topic as
        every RPC server does); without them such a message fails.
    """

    def __init__(self, target, default=None):
        driver = transport()._driver
        if not hasattr(driver, "bind_servers"):
            raise ValueError(
                f"transport {type(driver).__name__} cannot serve a fleet "
                "of hosts (it needs local://)")
        self._driver = driver
        self.target = target
        self._dispatcher = _HostDispatcher(target.topic, default)
        self._server = executors.adopt(messaging.rpc.server.RPCServer(
            transport(), target, self._dispatcher, executor="threading"))

    def add_hosts(self, endpoints_by_host):
        """Answer ``topic.<host>`` with ``endpoints_by_host[host]``."""
        for host, endpoints in endpoints_by_host.items():
            self._dispatcher.add(host, endpoints)
        self._driver.bind_servers(self.target, list(endpoints_by_host))

    def remove_hosts(self, hosts):
        self._driver.unbind_servers(self.target, hosts)
        for host in hosts:
            self._dispatcher.remove(host)

    def start(self):
        self._server.start()

    def stop(self):
        self._server.stop()

    def wait(self):
        self._server.wait()
