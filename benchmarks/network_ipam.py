"""Address allocation rate on PostgreSQL (or MariaDB): what IPAM costs a
boot.

Each run makes a fresh network (a /22: 1021 allocatable addresses) in a
fresh database and has ``--threads`` threads, each on its own database
connections (as concurrent nimbus-network workers), allocate until
``--allocations`` are done, then frees them all. Two workloads:

* ``port``: what a boot asks of nimbus-network: a port (a row with a
  unique random MAC) and one address won by compare-and-swap;
* ``address``: the compare-and-swap alone, on pre-made ports.

Reported per workload: allocations per second (wall clock from the first
allocation to the last), and the CPU time (user + system) of this
process (SQLAlchemy, the driver, nimbus) plus the database server's
backends per allocation, each the median of ``--runs`` runs.

    python benchmarks/network_ipam.py --runs 5 --json
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from nimbus.core import bootstrap  # noqa: E402
from nimbus.core import context as nimbus_context  # noqa: E402
from nimbus.core.db import api as db_api  # noqa: E402
from nimbus.core.db import engine, migration  # noqa: E402
from nimbus.core.db import setup as db_setup  # noqa: E402
from nimbus.core.network import ipam  # noqa: E402
from tests import real  # noqa: E402

CIDR = "10.200.0.0/22"


def _server_cpu(kind):
    """CPU seconds used so far by the database server's processes."""
    name = {"postgresql": "postgres", "mariadb": "mariadbd"}[kind]
    pids = subprocess.run(["pgrep", "-x", name], capture_output=True,
                          text=True).stdout.split()
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a backend that ended meanwhile
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _network(ctx):
    plan = ipam.plan(CIDR)
    return db_api.networks.create(ctx, {
        "name": "bench", "cidr": plan["cidr"], "gateway": plan["gateway"],
        "allocation_start": plan["allocation_start"],
        "allocation_end": plan["allocation_end"], "bridge": "br-bench"},
        plan["addresses"])


def one_run(ctx, kind, workload, count, threads):
    net = _network(ctx)
    ports = []
    if workload == "address":
        ports = [db_api.ports.create(ctx, {"network_id": net["uuid"],
                                           "project_id": "bench"})["uuid"]
                 for _ in range(count)]
    todo = iter(range(count))
    lock = threading.Lock()
    made = []

    def worker():
        while True:
            with lock:
                index = next(todo, None)
            if index is None:
                return
            if workload == "port":
                port = db_api.ports.create(ctx, {"network_id": net["uuid"],
                                                 "project_id": "bench"})
                db_api.networks.allocate_fixed_ip(ctx, net["uuid"],
                                                  port["uuid"])
                made.append(port["uuid"])
            else:
                db_api.networks.allocate_fixed_ip(ctx, net["uuid"],
                                                  ports[index])

    cpu0, srv0 = os.times(), _server_cpu(kind)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    wall = time.perf_counter() - start
    cpu1, srv1 = os.times(), _server_cpu(kind)
    held = db_api.networks.get_fixed_ips(ctx, net["uuid"], allocated=True)
    if len({r["address"] for r in held}) != count:
        raise RuntimeError("an address was handed out twice")
    for port in made or ports:
        db_api.ports.destroy(ctx, port)
    db_api.networks.destroy(ctx, net["uuid"])
    client = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    return count / wall, client * 1000 / count, \
        (srv1 - srv0) * 1000 / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "mariadb"],
                        default="postgresql")
    parser.add_argument("--allocations", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.allocations > 1021:
        parser.error("at most 1021 allocations (one /22)")
    with real.database(args.db) as url:
        conf = bootstrap.parse_config([], "nimbus-bench",
                                      default_config_files=[],
                                      transport_url="fake://")
        conf.set_override("connection", url, "database")
        conf.set_override("max_pool_size", args.threads + 2, "database")
        db_setup.use_database(conf)
        migration.sync()
        ctx = nimbus_context.get_admin_context()
        one_run(ctx, args.db, "port", 50, args.threads)  # warm up
        for workload in ("port", "address"):
            runs = [one_run(ctx, args.db, workload, args.allocations,
                            args.threads) for _ in range(args.runs)]
            result = {
                "db": args.db, "workload": workload,
                "allocations": args.allocations, "threads": args.threads,
                "runs": args.runs,
                "allocations_per_s": round(
                    statistics.median(r[0] for r in runs), 1),
                "allocations_per_s_all": [round(r[0], 1) for r in runs],
                "client_cpu_ms_per_allocation": round(
                    statistics.median(r[1] for r in runs), 3),
                "db_cpu_ms_per_allocation": round(
                    statistics.median(r[2] for r in runs), 3)}
            if args.json:
                print(json.dumps(result), flush=True)
            else:
                print(f"{args.db} {workload:7s} {result['allocations_per_s']}"
                      f" allocations/s (runs "
                      f"{result['allocations_per_s_all']}), CPU "
                      f"{result['client_cpu_ms_per_allocation']} ms client"
                      f" + {result['db_cpu_ms_per_allocation']} ms "
                      f"database per allocation", flush=True)
        engine.reset()


if __name__ == "__main__":
    main()
