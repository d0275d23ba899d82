"""Messaging set-up: one transport per process, context-aware serializer.

``transport_url`` picks the backend: ``rabbit://`` for deployments,
``fake://`` for the embedded single-process default. Servers use
oslo.messaging's threading executor; nothing here uses eventlet.
"""

import oslo_messaging as messaging

from nimbus.core import context as nimbus_context
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


class RequestContextSerializer(messaging.Serializer):
    """Serialize the request context and versioned objects."""

    def __init__(self):
        self._base = objects_base.NimbusObjectSerializer()

    def serialize_entity(self, ctxt, entity):
        return self._base.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt, entity):
        return self._base.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return nimbus_context.RequestContext.from_dict(ctxt)


def get_client(target, version_cap=None, timeout=None):
    return messaging.get_rpc_client(
        transport(), target, version_cap=version_cap, timeout=timeout,
        serializer=RequestContextSerializer())


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


def get_server(target, endpoints):
    """Return an RPC server; oslo.messaging picks its threading executor
    because nothing in nimbus monkey-patches (checked by a test)."""
    from nimbus.core import metrics
    endpoints = [metrics.InstrumentedEndpoint(ContextScopedEndpoint(e),
                                              target.topic)
                 for e in endpoints]
    return messaging.get_rpc_server(
        transport(), target, endpoints,
        serializer=RequestContextSerializer())
