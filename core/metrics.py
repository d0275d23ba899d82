"""Prometheus metrics of a nimbus process (``prometheus-client``).

Every metric lives in one registry per process; :func:`serve` exposes it
on ``[metrics] bind_host:port`` when ``[metrics] enabled``. Recording is
always on and cheap, so code records unconditionally.

Names (all prefixed ``nimbus_``):

* ``rpc_server_calls_total{topic,method,outcome}`` and
  ``rpc_server_latency_seconds{topic,method}``: RPC methods served;
* ``api_requests_total{method,route,status}`` and
  ``api_request_latency_seconds{method,route}``: API requests, the route
  with IDs replaced by ``{id}``;
* ``scheduler_decisions_total{outcome}`` (``selected``/``no_valid_host``)
  and ``scheduler_filter_rejections_total{filter}`` (hosts a filter
  removed);
* ``builds_total{outcome}`` (``active``/``error``/``rescheduled``);
* ``service_up{binary,host}`` (1 up, 0 down; sampled by the conductor);
* ``host_load1`` (this host's 1-minute load average);
* ``queue_messages{queue}`` and ``queue_consumers{queue}``: the service
  topics' queues as the conductor sees them (passive declare).
"""

import re
import threading
import time

import prometheus_client as prom
from oslo_log import log as logging

from nimbus.core import hostinfo

LOG = logging.getLogger(__name__)

REGISTRY = prom.CollectorRegistry(auto_describe=True)

RPC_CALLS = prom.Counter(
    "nimbus_rpc_server_calls", "RPC methods served",
    ["topic", "method", "outcome"], registry=REGISTRY)
RPC_LATENCY = prom.Histogram(
    "nimbus_rpc_server_latency_seconds", "Time to serve an RPC method",
    ["topic", "method"], registry=REGISTRY)
API_REQUESTS = prom.Counter(
    "nimbus_api_requests", "API requests answered",
    ["method", "route", "status"], registry=REGISTRY)
API_LATENCY = prom.Histogram(
    "nimbus_api_request_latency_seconds", "Time to answer an API request",
    ["method", "route"], registry=REGISTRY)
SCHEDULER_DECISIONS = prom.Counter(
    "nimbus_scheduler_decisions", "Scheduling requests by outcome",
    ["outcome"], registry=REGISTRY)
SCHEDULER_DECISION_TIME = prom.Histogram(
    "nimbus_scheduler_decision_seconds",
    "Time to decide one scheduling request (host view refreshed, hosts "
    "filtered, weighed and claimed), not counting its wait for the "
    "process's decision lock", registry=REGISTRY)
FILTER_REJECTIONS = prom.Counter(
    "nimbus_scheduler_filter_rejections", "Hosts a scheduler filter removed",
    ["filter"], registry=REGISTRY)
BUILDS = prom.Counter(
    "nimbus_builds", "Server builds finished on this host, by outcome",
    ["outcome"], registry=REGISTRY)
SERVICE_UP = prom.Gauge(
    "nimbus_service_up", "1 if the service reports in time, else 0",
    ["binary", "host"], registry=REGISTRY)
QUEUE_MESSAGES = prom.Gauge(
    "nimbus_queue_messages", "Messages in a service topic's queue",
    ["queue"], registry=REGISTRY)
QUEUE_CONSUMERS = prom.Gauge(
    "nimbus_queue_consumers", "Consumers of a service topic's queue",
    ["queue"], registry=REGISTRY)
HOST_LOAD = prom.Gauge(
    "nimbus_host_load1", "1-minute load average of this host",
    registry=REGISTRY)
HOST_LOAD.set_function(lambda: hostinfo.load_average()[0])

_STATE = {"server": None}
_SERVE_LOCK = threading.Lock()  # services may start side by side
_ID = re.compile(r"^([0-9a-fA-F-]{32,36}|[0-9]+|[0-9a-f]{32})$")


def route_of(path, known=("v2.1", "v3", "v2", "identity", "image")):
    """``/v2.1/servers/<uuid>/action`` -> ``/v2.1/servers/{id}/action``:
    the label of a request path (IDs and numbers collapsed)."""
    parts = []
    for part in path.split("/"):
        parts.append("{id}" if part and part not in known and
                     _ID.match(part) else part)
    return "/".join(parts) or "/"


def serve(conf, binary):
    """Start the ``/metrics`` endpoint if ``[metrics] enabled``; return
    its port (``None`` when disabled). One per process."""
    if not conf.metrics.enabled:
        return None
    with _SERVE_LOCK:
        if _STATE["server"] is None:
            server, thread = prom.start_http_server(
                conf.metrics.port, addr=conf.metrics.bind_host,
                registry=REGISTRY)
            _STATE["server"] = (server, thread)
            LOG.info("%(binary)s serves metrics on http://%(host)s:"
                     "%(port)s/metrics",
                     {"binary": binary, "host": conf.metrics.bind_host,
                      "port": server.server_port})
        return _STATE["server"][0].server_port


def stop():
    """Stop the endpoint (tests; daemons just exit)."""
    if _STATE["server"] is not None:
        server, thread = _STATE["server"]
        server.shutdown()
        server.server_close()
        thread.join(5)
        _STATE["server"] = None


class InstrumentedEndpoint:
    """An RPC endpoint whose public methods count and time themselves.

    oslo.messaging finds methods with ``getattr`` and reads ``target``;
    both pass through.
    """

    def __init__(self, endpoint, topic):
        self._endpoint = endpoint
        self._topic = topic

    def __getattr__(self, name):
        value = getattr(self._endpoint, name)
        if name.startswith("_") or name == "target" or not callable(value):
            return value
        topic = self._topic

        def timed(*args, **kwargs):
            start = time.monotonic()
            outcome = "error"
            try:
                result = value(*args, **kwargs)
                outcome = "ok"
                return result
            finally:
                RPC_CALLS.labels(topic, name, outcome).inc()
                RPC_LATENCY.labels(topic, name).observe(
                    time.monotonic() - start)
        return timed


def api_middleware(app):
    """WSGI middleware counting and timing every API request."""

    def middleware(environ, start_response):
        start = time.monotonic()
        status = {"code": "500"}

        def recording_start_response(status_line, headers, *exc_info):
            status["code"] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, *exc_info)
        try:
            return app(environ, recording_start_response)
        finally:
            route = route_of(environ.get("PATH_INFO", "/"))
            method = environ.get("REQUEST_METHOD", "GET")
            API_REQUESTS.labels(method, route, status["code"]).inc()
            API_LATENCY.labels(method, route).observe(
                time.monotonic() - start)
    return middleware


class Sampler:
    """The conductor's sample of service states and of the service
    topics' queue depths, run every ``[metrics] poll_interval``.

    :param service_states: returns ``(binary, host, topic, is_up)`` of
        every service (:meth:`~nimbus.core.admin_api.AdminAPI.
        service_states`).
    """

    def __init__(self, conf, service_states):
        self.conf = conf
        self.service_states = service_states
        #: (binary, host) -> the value last set: with 10,000 hosts,
        #: setting every gauge at every sample was most of its CPU.
        self._up = {}

    def sample(self):
        services = self.service_states()
        up = self._up
        for binary, host, _topic, is_up in services:
            value = 1 if is_up else 0
            if up.get((binary, host)) != value:
                SERVICE_UP.labels(binary, host).set(value)
                up[binary, host] = value
        from nimbus.core import broker
        if not broker.is_rabbit(self.conf.transport_url):
            return  # no queues to ask about (local://, fake://, qpid://)
        names = list(broker.TOPICS) + sorted(
            {f"{topic}.{host}" for _b, host, topic, _up in services
             if topic})
        try:
            depths = broker.declared_depths(self.conf.transport_url, names)
        except Exception as err:  # noqa: BLE001 - broker away
            LOG.debug("No queue depths: %s", err)
            return
        for name, (messages, consumers) in depths.items():
            QUEUE_MESSAGES.labels(name).set(messages)
            QUEUE_CONSUMERS.labels(name).set(consumers)


def run_sampler(conf, service_states):
    """Run a :class:`Sampler` every ``[metrics] poll_interval`` on a
    daemon thread (the API's view of the queues, which stays current
    while conductors are down); return the event that stops it."""
    sampler = Sampler(conf, service_states)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                sampler.sample()
            except Exception:  # noqa: BLE001 - the next sample may work
                LOG.exception("Metrics sample failed")
            stop.wait(conf.metrics.poll_interval)
    threading.Thread(target=loop, name="metrics-sampler",
                     daemon=True).start()
    return stop
