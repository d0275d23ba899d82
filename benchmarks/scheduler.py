"""Scheduler decisions per second at 100, 1k and 10k hosts.

A decision is one instance placed: refresh the host view, filter, weigh
and claim. Two backends:

* ``memory``: the :class:`Selector` over an in-memory HostSet with a
  claimer that only counts (the cost of filters, weighers and ranking).
* ``postgresql``: what nimbus-scheduler runs per request: the host-state
  cache refreshed incrementally from a scratch PostgreSQL database, then
  a claim in one guarded transaction.

``pgbench -N`` (one client, like the one scheduler thread measured) runs
against the same scratch database in the same run as the baseline.

    .venv/bin/python benchmarks/scheduler.py [--json] [--hosts 100,1000]
"""

import argparse
import contextlib
import json
import re
import subprocess
import sys
import time
import uuid

import sqlalchemy

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


class CountingClaimer:
    """Claims that always succeed (the in-memory backend)."""

    def claim(self, host_state, consumer_uuid, spec):
        pass

    def release(self, consumer_uuid):
        pass


def _conf(db_url=None):
    from nimbus.core import bootstrap
    args = []
    conf = bootstrap.parse_config(args, "nimbus-bench",
                                  default_config_files=[],
                                  transport_url="fake://")
    if db_url:
        conf.set_override("connection", db_url, "database")
    # Every bundled filter and weigher, so the figure is the worst case.
    conf.set_override("enabled_filters", [
        "compute", "resources", "availability_zone", "image_properties",
        "compute_capabilities", "aggregate_instance_extra_specs",
        "aggregate_multitenancy_isolation", "server_group_anti_affinity",
        "server_group_affinity", "same_host", "different_host",
        "num_instances", "io_ops", "json"], "scheduler")
    conf.set_override("enabled_weighers", [
        "ram", "cpu", "disk", "num_instances", "io_ops", "build_failure",
        "soft_affinity", "soft_anti_affinity"], "scheduler")
    conf.set_override("max_instances_per_host", 100000, "scheduler")
    conf.set_override("max_io_ops_per_host", 100000, "scheduler")
    return conf


def _spec():
    from nimbus.core.interfaces import request_spec as rs
    return rs.RequestSpec(
        project_id="bench", user_id="bench", num_instances=1,
        flavor={"flavorid": "1", "name": "tiny", "vcpus": 1,
                "memory_mb": 512, "root_gb": 1},
        image={"id": "img"})


def _node(i):
    return {"id": i + 1, "uuid": str(uuid.uuid4()), "host": f"h{i:05d}",
            "hypervisor_hostname": f"h{i:05d}", "hypervisor_type": "fake",
            "vcpus": 256, "memory_mb": 1048576, "local_gb": 100000,
            "cpu_allocation_ratio": 16.0, "ram_allocation_ratio": 1.0,
            "disk_allocation_ratio": 1.0, "generation": 0}


def _selector(conf):
    from nimbus.core.scheduler import manager, selector
    return selector.Selector(conf, manager.load_filters(conf),
                             manager.load_weighers(conf))


def bench_memory(hosts, seconds):
    from nimbus.core.scheduler.host_state import HostSet, HostState
    conf = _conf()
    sel = _selector(conf)
    host_set = HostSet([HostState.from_node(_node(i)) for i in range(hosts)])
    spec, claimer = _spec(), CountingClaimer()
    sel.select(host_set, spec, ["warm-up"], claimer, None)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sel.select(host_set, spec, [f"i{count}"], claimer, None)
        count += 1
    conf.reset()
    return count / (time.perf_counter() - start)


def _populate(hosts):
    from oslo_utils import timeutils
    from sqlalchemy import insert

    from nimbus.core.db import engine, models
    now = timeutils.utcnow()
    with engine.get_engine().begin() as conn:
        conn.execute(insert(models.Service), [
            {"uuid": str(uuid.uuid4()), "host": f"h{i:05d}",
             "binary": "nimbus-compute", "topic": "compute",
             "report_count": 1, "disabled": False, "forced_down": False,
             "last_seen_up": now, "created_at": now, "deleted": 0,
             "version": 1} for i in range(hosts)])
        conn.execute(insert(models.ComputeNode), [
            dict(_node(i), cpu_info="{}", created_at=now, deleted=0,
                 vcpus_used=0, memory_mb_used=0, local_gb_used=0,
                 running_vms=0, failed_builds=0, hypervisor_version=1,
                 reserved_host_memory_mb=0, reserved_host_disk_mb=0,
                 reserved_host_cpus=0) for i in range(hosts)])
    if engine.get_engine().dialect.name == "postgresql":
        # Planner statistics, as autovacuum keeps them in a deployment.
        with engine.get_engine().connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                sqlalchemy.text("ANALYZE"))


def bench_postgresql(db_url, hosts, seconds):
    from nimbus.core import context as nimbus_context
    from nimbus.core.db import engine, migration
    from nimbus.core.db import setup as db_setup
    from nimbus.core.scheduler import host_manager
    conf = _conf(db_url)
    db = db_setup.use_database(conf)
    migration.sync()
    _populate(hosts)
    ctx = nimbus_context.get_admin_context()
    sel, manager = _selector(conf), host_manager.HostManager(conf, db)
    claimer, spec = host_manager.DatabaseClaimer(ctx, db), _spec()

    def decide(consumer):
        host_set = manager.get_host_states(ctx)
        sel.select(host_set, spec, [consumer], claimer,
                   lambda h: manager.refresh(ctx, h))

    decide(str(uuid.uuid4()))
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        decide(str(uuid.uuid4()))
        count += 1
    rate = count / (time.perf_counter() - start)
    engine.reset()
    conf.reset()
    return rate


def pgbench_tps(db_name, seconds):
    base = ["pgbench", "-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(base + ["-i", "-q", "-s", "1", db_name], check=True,
                   capture_output=True, text=True)
    out = subprocess.run(base + ["-N", "-c", "1", "-T", str(max(1, int(seconds))),
                                 db_name],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


@contextlib.contextmanager
def scratch_database():
    name = f"nimbus_bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield name, f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(host_counts, seconds):
    with scratch_database() as (name, _url):
        baseline = pgbench_tps(name, seconds)
    results = []
    for hosts in host_counts:
        results.append({"hosts": hosts, "backend": "memory",
                        "decisions_per_s": round(
                            bench_memory(hosts, seconds), 1),
                        "pgbench_tps": baseline})
        with scratch_database() as (_name, url):
            rate = bench_postgresql(url, hosts, seconds)
        results.append({"hosts": hosts, "backend": "postgresql",
                        "decisions_per_s": round(rate, 1),
                        "pgbench_tps": baseline})
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hosts", default="100,1000,10000")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    import logging
    logging.disable(logging.WARNING)
    results = run([int(h) for h in args.hosts.split(",")], args.seconds)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            print(f"{r['hosts']:>6} hosts  {r['backend']:<10} "
                  f"{r['decisions_per_s']:>9.1f} decisions/s  "
                  f"(pgbench -N: {r['pgbench_tps']:.1f} tps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
