"""Running a service: RPC server, heartbeat and periodic tasks.

A :class:`Service` is one manager on one topic/host. Several can run in one
process (``nimbus-all`` runs every service, and one compute service per
virtual host); each has its own RPC server and periodic thread.
"""

import gc
import logging as std_logging
import os
import signal
import sys
import threading
import time
from concurrent import futures

import oslo_messaging as messaging
from futurist import periodics
from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core import executors, metrics, rpc
from nimbus.core.objects import service as service_obj

LOG = logging.getLogger(__name__)

SERVICE_VERSION = 1

#: Seconds a stopping service waits for a periodic task still running.
#: A task is a resync the next run (or the next start) repeats, and one
#: that is running at a stop is often the one waiting on a peer that is
#: gone (a conductor stopped first: until the RPC timeout, a minute).
PERIODIC_STOP_WAIT = 2.0

#: what stops left running (see :func:`stop_parts`), newest last.
_left_running = []


class Service:
    """One manager served on ``topic`` with server name ``host``."""

    def __init__(self, conf, binary, topic, manager, host):
        self.conf = conf
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self.host = host
        self.service_ref = None
        self._rpcserver = None
        self._worker = None
        self._thread = None

    def start(self):
        ctx = nimbus_context.get_admin_context()
        self.service_ref = service_obj.Service.register(
            ctx, self.host, self.binary, self.topic, SERVICE_VERSION)
        self.manager.service_ref = self.service_ref
        self.manager.init_host()
        target = messaging.Target(topic=self.topic, server=self.host)
        endpoints = [self.manager] + self.manager.additional_endpoints()
        self._rpcserver = rpc.get_server(target, endpoints)
        self._rpcserver.start()
        metrics.serve(self.conf, self.binary)
        self._heartbeat()
        self.manager.after_start()
        self._start_periodics()
        LOG.info("%(binary)s started on %(host)s (topic %(topic)s)",
                 {"binary": self.binary, "host": self.host,
                  "topic": self.topic})

    def _start_periodics(self):
        tasks = [(self._heartbeat, self.conf.report_interval)]
        tasks += self.manager.periodic_tasks()
        callables = [
            (periodics.periodic(spacing=spacing, run_immediately=False)(
                _named(fn)), (), {})
            for fn, spacing in tasks if spacing and spacing > 0]
        # Each task on a thread of its own: a task waiting on a peer that
        # is down (an RPC timeout) must not hold back the heartbeat, or a
        # busy but healthy service is reported down. A task never
        # overlaps its own previous run.
        self._worker = periodics.PeriodicWorker(
            callables, executor_factory=lambda: executors.ThreadPoolExecutor(
                max_workers=max(1, len(callables))))
        self._thread = threading.Thread(
            target=self._worker.start, name=f"periodic-{self.binary}",
            daemon=True)
        self._thread.start()

    def _heartbeat(self):
        try:
            self.service_ref.heartbeat()
        except Exception:  # a missed beat must not kill the service
            LOG.exception("Heartbeat of %(binary)s on %(host)s failed",
                          {"binary": self.binary, "host": self.host})

    def stop(self):
        """Stop taking messages and starting tasks, then wait for what
        runs: the requests being handled for up to ``[DEFAULT]
        graceful_shutdown_timeout``, a periodic task for up to
        :data:`PERIODIC_STOP_WAIT` (what is still running then is left
        to end with the process). The RPC server's and the periodic
        tasks' thread pools wind down together; their idle threads are
        woken to end at once (:mod:`nimbus.core.executors`)."""
        stop_parts(self.conf, self.binary, self._worker, self._rpcserver)
        self.manager.cleanup_host()


def _named(fn):
    def task():
        try:
            fn()
        except Exception:
            LOG.exception("Periodic task %s failed",
                          getattr(fn, "__name__", fn))
        finally:
            # The next run must not log under this run's context.
            nimbus_context.clear_store()
    task.__name__ = getattr(fn, "__name__", "task")
    return task


def start_concurrently(services, workers):
    """Start ``services`` side by side, at most ``workers`` at a time
    (``nimbus-all``'s compute services: one host's registration, first
    heartbeat and inventory report overlap another's database and thread
    start-up waits instead of queueing behind them). Each service starts
    exactly as :meth:`Service.start` alone does.

    :returns: the services, all started.
    :raises: the first error of a service that failed to start, once
        every service that did start is stopped again.
    """
    with futures.ThreadPoolExecutor(max_workers=max(1, workers),
                                    thread_name_prefix="start") as pool:
        running = {pool.submit(svc.start): svc for svc in services}
        done = futures.wait(running)[0]
    failed = [f for f in done if f.exception() is not None]
    if failed:
        stop_all([running[f] for f in done if f.exception() is None])
        raise failed[0].exception()
    return list(services)


def stop_parts(conf, name, periodic_worker, *rpc_servers):
    """Stop a service's periodic worker (None: it has none) and RPC
    servers (None ones skipped), and wait for them as
    :meth:`Service.stop` says; log what is left running."""
    grace = conf.graceful_shutdown_timeout or None
    waits = []
    if periodic_worker is not None:
        periodic_worker.stop()
        waits.append((periodic_worker.wait, PERIODIC_STOP_WAIT,
                      "its periodic tasks"))
    for rpc_server in rpc_servers:
        if rpc_server is not None:
            rpc_server.stop()
            waits.append((rpc_server.wait, grace,
                          "the requests it handles"))
    late = wait_bounded([(fn, timeout) for fn, timeout, _what in waits])
    for fn, timeout, what in waits:
        if fn in late:
            _left_running.append(f"{name}: {what}")
            LOG.warning("%(name)s stops without waiting for %(what)s: "
                        "still running after %(timeout)s s (a peer it "
                        "waits on may be down)",
                        {"name": name, "what": what, "timeout": timeout})


def wait_bounded(calls):
    """Call each ``fn`` of ``calls``, ``[(fn, timeout), ...]``, in a
    thread of its own and return once each has returned or run for its
    ``timeout`` seconds (None: however long it takes); returns the
    functions still running, whose daemon threads end with the process.
    An error is logged, never raised."""
    def call(fn):
        try:
            fn()
        except Exception:
            LOG.exception("Error while stopping (%s)", fn)
    started = time.monotonic()
    threads = []
    for n, (fn, timeout) in enumerate(calls):
        thread = threading.Thread(target=call, args=(fn,),
                                  name=f"stop-{n}", daemon=True)
        thread.start()
        threads.append((fn, timeout, thread))
    for _fn, timeout, thread in threads:
        thread.join(None if timeout is None else
                    max(0.0, started + timeout - time.monotonic()))
    return [fn for fn, _timeout, thread in threads if thread.is_alive()]


def in_parallel(calls):
    """Call each of ``calls`` in a thread of its own and return once all
    have returned. An error is logged, never raised: stopping one part
    must not leave the others running."""
    wait_bounded([(fn, None) for fn in calls])


def stop_all(stoppables):
    """Stop the first of ``stoppables`` (the API: no new request reaches
    a stopping service), then the rest side by side: every RPC server's
    executor winds down in the same fraction of a second instead of one
    after another. Errors are logged."""
    if not stoppables:
        return
    in_parallel([stoppables[0].stop])
    in_parallel([item.stop for item in stoppables[1:]])


def wait_for_signal(stop_callbacks):
    """Block until SIGTERM/SIGINT, then call each stop callback; if they
    left work running (see :func:`stop_parts`), end the process at once
    (:func:`end_now`).

    A daemon calls this once it has started: what it holds then is
    frozen out of the garbage collector first (see
    :func:`freeze_startup_objects`).
    """
    freeze_startup_objects()
    done = threading.Event()

    def _handler(signum, _frame):
        LOG.info("Caught signal %d, stopping", signum)
        done.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    while not done.wait(1.0):
        pass
    left = len(_left_running)
    for callback in stop_callbacks:
        try:
            callback()
        except Exception:
            LOG.exception("Error while stopping")
    if len(_left_running) > left:
        end_now()


def end_now():
    """End the process at once, its logs flushed, as oslo.service does
    once its graceful shutdown timeout has passed: a stop that left work
    running would otherwise wait for it in the interpreter's exit, where
    futurist joins every worker thread it made, however stuck (a call to
    a conductor that is gone: until the RPC timeout)."""
    std_logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


#: allocations (less deallocations) of container objects between two
#: collections of the youngest generation: CPython's default is 700
YOUNG_COLLECTION_THRESHOLD = 10000
#: collections of the middle generation between two full collections
#: (CPython's default is 10)
FULL_COLLECTION_THRESHOLD = 100


def freeze_startup_objects():
    """Move every object alive now (modules, the configuration, the
    SQLAlchemy metadata, the WSGI app, policy rules, plugins: what a
    started daemon keeps until it ends) to the collector's permanent
    generation (:func:`gc.freeze`), after collecting what is garbage
    already.

    Else every full collection walks those few hundred thousand objects:
    in nimbus-api each took up to 150 ms, and a page of 1,000 servers
    allocates enough to set one off every third or fourth request, which
    made the page's p99 three times its median.

    Then collect the youngest generation every 10,000 allocations
    instead of 700: a boot allocates a few thousand short-lived
    containers (SQLAlchemy sessions and results, versioned objects, RPC
    messages), and at 700 enough of them survived a young collection to
    set off a full one every few seconds (85 ms each in nimbus-all under
    a boot burst). Collections took 6.4-6.5 % of nimbus-all's CPU in a
    240-server burst, 3.7-3.8 % after (two runs each).

    And run a full collection ten times less often than CPython would.
    What a daemon builds once started and keeps (the scheduler's 10,000
    host states and their sets and dicts, 80,000 containers in a
    10,000-host nimbus-all) is walked by every full collection, and
    pages of 1,000 servers set them off: with CPython's default the p99
    of such a page in that cloud was 119-150 ms (three runs of
    ``benchmarks/scale.py``), 75-76 ms with this one. Few of a daemon's
    objects are cyclic garbage; reference counting frees the rest at
    once.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, gc.get_threshold()[1],
                     FULL_COLLECTION_THRESHOLD)
