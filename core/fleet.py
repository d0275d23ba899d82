"""A compute fleet: many virtual compute hosts served by one process.

Each host of a :class:`Fleet` is a compute host to the rest of the
system as a :class:`~nimbus.core.service.Service` would make it: its own
service record and heartbeat, its own :class:`ComputeManager` (hypervisor
plugin instance, inventory report, power sync and other periodic tasks)
and its own RPC target ``compute.<host>``. What a Service per host would
give each host, the fleet shares:

* one RPC listener and executor (:class:`nimbus.core.rpc.FleetServer`):
  the transport binds every host's ``compute.<host>`` to the fleet's one
  queue and each message goes to its host's manager. Only ``local://``
  binds servers this way, so a fleet runs inside nimbus-all;
* one timer wheel (:class:`TimerWheel`) and a few worker threads for
  every host's periodic tasks, each task's first run at a random point
  of its period so that hosts do not all report at once;
* heartbeats batched: once a second the hosts whose turn it is (one
  ``report_interval``-th of the fleet) heartbeat in one call
  (``ServiceList.heartbeat_many``), which updates each host's own row as
  its own heartbeat would;
* one thread for the lifecycle events of every host's hypervisor
  (``PowerSync.shared_events``) instead of one per host;
* database reads batched: at start the instances of each
  :data:`BATCH` hosts are read in one query and each host reconciles its
  own, and the power sync and the orphaned-task-state check run per
  :data:`SYNC_BATCH` hosts, one read of their instances (one for both
  when their periods are the same), each host then syncing and settling
  its own as its own periodic task would.
"""

import functools
import heapq
import itertools
import queue
import random
import threading
import time
from concurrent import futures

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core import hostinfo, rpc, service
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import power_sync
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import service as service_obj

LOG = logging.getLogger(__name__)

BINARY = "nimbus-compute"
#: hosts whose instances one start-up read gets.
BATCH = 100
#: hosts whose instances one periodic read gets (power sync, orphaned
#: task states). Smaller than :data:`BATCH`: a periodic task shares the
#: interpreter with API requests, and at 10 servers a host the versioned
#: objects of 100 hosts' instances take about 40 ms to build; a sync of
#: 10 hosts took 8 ms of CPU in a 10,000-host nimbus-all.
SYNC_BATCH = 10


class TimerWheel:
    """Runs periodic callables on ``workers`` threads, each at most once
    at a time, from one timer thread (a heap of due times). A task is
    handed to a worker only when one is free: when the workers fall
    behind, tasks run late rather than pile up in a queue."""

    def __init__(self, workers):
        self._slots = threading.Semaphore(max(1, workers))
        self._heap = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._pool = futures.ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="fleet-task")
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="fleet-timer")

    def add(self, fn, spacing, first=None):
        """Run ``fn`` every ``spacing`` seconds (after it returns), the
        first time after ``first`` seconds (default: a random point of
        the first period). A spacing <= 0 never runs it."""
        if not spacing or spacing <= 0:
            return
        delay = random.uniform(0, spacing) if first is None else first
        self._push(time.monotonic() + delay, fn, spacing)

    def _push(self, due, fn, spacing):
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), fn, spacing))
            self._cond.notify()

    def start(self):
        self._thread.start()

    def _run(self):
        while True:
            self._slots.acquire()
            with self._cond:
                while not self._stopped:
                    wait = (self._heap[0][0] - time.monotonic()
                            if self._heap else None)
                    if wait is not None and wait <= 0:
                        break
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _, _, fn, spacing = heapq.heappop(self._heap)
            self._pool.submit(self._run_one, fn, spacing)

    def _run_one(self, fn, spacing):
        try:
            fn()
        except Exception:
            LOG.exception("Periodic task %s failed",
                          getattr(fn, "__qualname__", fn))
        finally:
            nimbus_context.clear_store()
            self._slots.release()
        with self._cond:
            if self._stopped:
                return
        self._push(time.monotonic() + spacing, fn, spacing)

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._slots.release()  # a timer thread waiting for a worker

    def wait(self):
        if self._thread.is_alive():
            self._thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)


class Fleet:
    """``hosts`` virtual compute hosts in this process (see the module).

    Stop and start like a Service (``start``, ``stop``); ``name`` is the
    fleet's own RPC server name (``compute.<name>`` takes every host's
    messages)."""

    def __init__(self, conf, hosts, name=None, workers=4):
        self.conf = conf
        self.hosts = list(hosts)
        self.name = name or f"fleet-{conf.host}"
        self.binary = BINARY
        self.managers = {host: compute_manager.ComputeManager(conf, host)
                         for host in self.hosts}
        self._workers = workers
        self._events = queue.Queue()
        self._wheel = None
        self._server = None
        self._events_thread = None
        self._stopped = threading.Event()
        #: resident memory (bytes) before and after the hosts started.
        self.rss = {}

    def start(self):
        self.rss["before"] = hostinfo.rss_bytes()
        started = time.monotonic()
        ctx = nimbus_context.get_admin_context()
        with futures.ThreadPoolExecutor(
                max_workers=max(1, self._workers),
                thread_name_prefix="fleet-start") as pool:
            list(pool.map(lambda hosts: self._init_batch(ctx, hosts),
                          self._batches()))
            self._events_thread = threading.Thread(
                target=self._drain_events, daemon=True,
                name="fleet-lifecycle")
            self._events_thread.start()
            self._server = rpc.FleetServer(messaging.Target(
                topic=compute_rpcapi.TOPIC, server=self.name))
            self._server.add_hosts({
                host: [m] + m.additional_endpoints()
                for host, m in self.managers.items()})
            self._server.start()
            self._heartbeat(list(self.managers.values()))
            list(pool.map(lambda m: m.after_start(),
                          self.managers.values()))
        self._start_periodics()
        # What the hosts hold lives as long as the process: out of the
        # collector's way. Else every full collection walks the hosts'
        # millions of objects (at 10,000 hosts each took a good part of
        # a second, and listings and periodic tasks allocate enough to
        # run one every few seconds).
        service.freeze_startup_objects()
        self.rss["after"] = hostinfo.rss_bytes()
        LOG.info("Compute fleet %(name)s started %(n)d hosts in %(s).1f s "
                 "(RSS %(before)d -> %(after)d bytes)",
                 {"name": self.name, "n": len(self.hosts),
                  "s": time.monotonic() - started, **self.rss})

    def _batches(self, size=BATCH):
        return [self.hosts[n:n + size]
                for n in range(0, len(self.hosts), size)]

    def _instances_of(self, hosts):
        """``{host: [Instance, ...]}`` of ``hosts``, in one read."""
        found = {host: [] for host in hosts}
        for instance in instance_obj.InstanceList.get_by_host(
                nimbus_context.get_admin_context(), list(hosts)):
            found.setdefault(instance.host, []).append(instance)
        return found

    def _init_batch(self, ctx, hosts):
        instances = self._instances_of(hosts)
        for host in hosts:
            self._init(ctx, self.managers[host], instances[host])

    def _init(self, ctx, manager, instances=None):
        manager.service_ref = service_obj.Service.register(
            ctx, manager.host, BINARY, compute_rpcapi.TOPIC,
            service.SERVICE_VERSION)
        manager.sync.shared_events = self._events
        manager.init_host(instances)

    def _start_periodics(self):
        self._wheel = TimerWheel(self._workers)
        interval = max(1, self.conf.report_interval)
        managers = list(self.managers.values())
        # One heartbeat call a second, each for the hosts whose turn it
        # is: every host beats once per report_interval.
        for tick in range(interval):
            turn = managers[tick::interval]
            if turn:
                self._wheel.add(functools.partial(self._heartbeat, turn),
                                interval, first=tick)
        sync = self.conf.compute.sync_power_state_interval
        orphans = self.conf.conductor.task_state_check_interval
        batched = {power_sync.PowerSync.sync_all,
                   power_sync.PowerSync.settle_orphans}
        for manager in managers:
            for fn, spacing in manager.periodic_tasks():
                if getattr(fn, "__func__", None) not in batched:
                    self._wheel.add(fn, spacing)
        for hosts in self._batches(SYNC_BATCH):
            if sync == orphans:
                self._wheel.add(functools.partial(
                    self._sync_batch, hosts, ("settle_orphans",
                                              "sync_all")), sync)
                continue
            self._wheel.add(functools.partial(
                self._sync_batch, hosts, ("sync_all",)), sync)
            self._wheel.add(functools.partial(
                self._sync_batch, hosts, ("settle_orphans",)), orphans)
        self._wheel.start()

    def _sync_batch(self, hosts, tasks):
        """Run each host's ``tasks`` (PowerSync methods) on its
        instances, read for all ``hosts`` at once."""
        instances = self._instances_of(hosts)
        for host in hosts:
            sync = self.managers[host].sync
            for task in tasks:
                try:
                    getattr(sync, task)(instances=instances[host])
                except Exception:
                    LOG.exception("Periodic %s of %s failed", task, host)

    def _heartbeat(self, managers):
        try:
            service_obj.ServiceList.heartbeat_many(
                nimbus_context.get_admin_context(),
                [m.service_ref.id for m in managers])
        except Exception:  # a missed beat must not stop the fleet
            LOG.exception("Heartbeat of %d fleet hosts failed",
                          len(managers))

    def _drain_events(self):
        while not self._stopped.is_set():
            try:
                sync, event = self._events.get(timeout=1.0)
            except queue.Empty:
                continue
            sync.handle_one(event)

    def stop(self):
        """Stop taking messages and starting tasks, wait for what runs,
        then let each host clean up."""
        self._stopped.set()
        service.stop_parts(self.conf, "the compute fleet", self._wheel,
                           self._server)
        for manager in self.managers.values():
            try:
                manager.cleanup_host()
            except Exception:
                LOG.exception("Cleaning up %s failed", manager.host)
