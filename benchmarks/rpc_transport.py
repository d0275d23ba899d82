"""RPC throughput of the AMQP 1.0 driver against oslo.messaging's rabbit
driver, on the same RabbitMQ node in the same run.

For each transport (``rabbit://`` = AMQP 0-9-1 through kombu, ``qpid://`` =
nimbus's AMQP 1.0 driver through the rabbitmq_amqp1_0 plugin) one RPC
server (threading executor) and the callers run in this process, on a
fresh vhost each. Phases, each ``--seconds`` long and repeated ``--rounds``
times with the transports alternating (medians reported):

* ``call``: serial calls from one thread, then from ``--callers`` threads;
* ``cast``: casts, end to end (from the first cast sent to the last one
  handled by the server), from one thread and from ``--callers`` threads.

``cpu_ms`` is the CPU time (user + system) of this process, client and
server together, per message; the broker's CPU is not included (it is
shared with whatever else runs on the machine).

    python benchmarks/rpc_transport.py --seconds 5 --rounds 3
    python benchmarks/rpc_transport.py --json
"""

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
import uuid

import oslo_messaging as messaging
from oslo_config import cfg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests import real  # noqa: E402

TRANSPORTS = ("rabbit", "qpid")


class Endpoint:
    target = messaging.Target(version="1.0")

    def __init__(self):
        self.casts = 0
        self.lock = threading.Lock()
        self.last = None

    def echo(self, ctxt, value):
        return value

    def note(self, ctxt, value):
        with self.lock:
            self.casts += 1
            self.last = time.monotonic()


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Bench:
    """One transport with its server, on its own vhost."""

    def __init__(self, scheme, vhost):
        self.scheme = scheme
        self.transport = messaging.get_rpc_transport(
            cfg.CONF, url=f"{scheme}://guest:guest@127.0.0.1:5672/{vhost}")
        self.topic = f"bench-{uuid.uuid4().hex[:8]}"
        self.endpoint = Endpoint()
        self.server = messaging.get_rpc_server(
            self.transport, messaging.Target(topic=self.topic, server="s1"),
            [self.endpoint])
        self.server.start()
        self.client = messaging.get_rpc_client(
            self.transport, messaging.Target(topic=self.topic), timeout=30)
        # Warm up: connections, links, reply queues.
        for i in range(50):
            self.client.call({}, "echo", value=i)

    def calls(self, seconds, threads):
        counts = [0] * threads
        stop = time.monotonic() + seconds

        def worker(n):
            client = self.client.prepare()
            while time.monotonic() < stop:
                client.call({}, "echo", value=n)
                counts[n] += 1
        cpu0, t0 = _cpu(), time.monotonic()
        _run_threads(worker, threads)
        took = time.monotonic() - t0
        total = sum(counts)
        return total / took, (_cpu() - cpu0) * 1000 / total

    def casts(self, seconds, threads):
        ep = self.endpoint
        with ep.lock:
            ep.casts = 0
        counts = [0] * threads
        stop = time.monotonic() + seconds

        def worker(n):
            while time.monotonic() < stop:
                self.client.cast({}, "note", value=n)
                counts[n] += 1
        cpu0, t0 = _cpu(), time.monotonic()
        _run_threads(worker, threads)
        total = sum(counts)
        deadline = time.monotonic() + 120
        while ep.casts < total and time.monotonic() < deadline:
            time.sleep(0.01)
        if ep.casts < total:
            raise RuntimeError(f"{self.scheme}: only {ep.casts} of {total} "
                               "casts arrived")
        took = ep.last - t0
        return total / took, (_cpu() - cpu0) * 1000 / total

    def close(self):
        self.server.stop()
        self.server.wait()
        self.transport.cleanup()


def _run_threads(worker, count):
    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cfg.CONF([], project="nimbus-bench", default_config_files=[])

    phases = [("call", 1), ("call", args.callers), ("cast", 1),
              ("cast", args.callers)]
    samples = {(t, p, n): [] for t in TRANSPORTS for p, n in phases}
    with real.rabbit_vhost() as (_, vhost_a), \
            real.rabbit_vhost() as (_, vhost_b):
        benches = {"rabbit": Bench("rabbit", vhost_a),
                   "qpid": Bench("qpid", vhost_b)}
        try:
            for _ in range(args.rounds):
                for phase, threads in phases:
                    for name in TRANSPORTS:
                        bench = benches[name]
                        run = bench.calls if phase == "call" else bench.casts
                        samples[(name, phase, threads)].append(
                            run(args.seconds, threads))
        finally:
            for bench in benches.values():
                bench.close()

    results = []
    for phase, threads in phases:
        row = {"phase": phase, "threads": threads}
        for name in TRANSPORTS:
            got = samples[(name, phase, threads)]
            row[name] = {
                "per_s": round(statistics.median(r for r, _ in got)),
                "per_s_all": [round(r) for r, _ in got],
                "cpu_ms": round(statistics.median(c for _, c in got), 3)}
        row["ratio"] = round(row["qpid"]["per_s"] / row["rabbit"]["per_s"],
                             2)
        results.append(row)
    meta = {"cpus": os.cpu_count(), "load": os.getloadavg(),
            "seconds": args.seconds, "rounds": args.rounds}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}))
        return
    print(f"{'phase':14s} {'rabbit/s':>9s} {'qpid/s':>8s} {'qpid/rabbit':>11s}"
          f" {'rabbit cpu ms':>13s} {'qpid cpu ms':>11s}")
    for row in results:
        print(f"{row['phase'] + ' x' + str(row['threads']):14s} "
              f"{row['rabbit']['per_s']:9d} {row['qpid']['per_s']:8d} "
              f"{row['ratio']:11.2f} {row['rabbit']['cpu_ms']:13.3f} "
              f"{row['qpid']['cpu_ms']:11.3f}")
    print(f"load average at the end: {meta['load']}")


if __name__ == "__main__":
    main()
