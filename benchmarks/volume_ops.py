"""Volume create+delete per second with the file driver, against the same
run's raw ``qemu-img create`` + ``rm``.

Three ways of making and removing one 1 GiB sparse raw volume, each run
``--rounds`` times over ``--ops`` sequential create+delete pairs, in the
same directory of the same file system, in this order per round (so
drift hits all three alike):

* **raw**: ``qemu-img create -f raw`` then ``rm`` (``os.unlink``), the
  floor any volume service pays;
* **driver**: the ``file`` driver's ``create_volume`` + ``delete_volume``
  called directly (its privsep entrypoints: privsep IPC, ``truncate``,
  the atomic rename);
* **service**: the whole path a user's request takes, minus HTTP:
  ``VolumeAPI.create_volume`` (quota check, record, capacity scheduler,
  RPC cast over the in-process ``fake://`` transport) -> nimbus-volume's
  manager (per-volume lock, guarded writes) -> the driver, waiting until
  the manager has finished (the volume is ``available``); then
  ``delete_volume`` until the manager has removed it. SQLite database,
  as nimbus-all.

Reported per way: create+delete pairs per second (median of rounds) and
CPU milliseconds per pair (this process and its children, the privsep
daemon included), and the overhead ratios service/raw and driver/raw;
for the service way also the database transactions and SQL statements
per pair (counted with SQLAlchemy engine events: with SQLite each
transaction is a new connection), which do not depend on the machine's
load.
Needs root (privsep forks its daemon).

    sudo python benchmarks/volume_ops.py --json
"""

import argparse
import json
import os
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

GiB = 1 << 30
_TICK = os.sysconf("SC_CLK_TCK")


def _descendants(pid):
    """Live descendant pids of ``pid`` (from /proc/*/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except FileNotFoundError:
                continue
            found += kids
            todo += kids
    return found


def tree_cpu():
    """CPU seconds of this process, its live descendants (the privsep
    daemon) and its reaped children (qemu-img, truncate...)."""
    total = 0.0
    for pid in [os.getpid()] + _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + children.ru_utime + children.ru_stime


def measure(run, ops):
    """Run ``run(ops)``; return (pairs per second, CPU ms per pair)."""
    cpu, wall = tree_cpu(), time.perf_counter()
    run(ops)
    wall, cpu = time.perf_counter() - wall, tree_cpu() - cpu
    return ops / wall, 1000.0 * cpu / ops


def raw_way(directory):
    def run(ops):
        for _ in range(ops):
            path = os.path.join(directory, f"raw-{uuid.uuid4()}.raw")
            subprocess.run(["qemu-img", "create", "-q", "-f", "raw", path,
                            str(GiB)], check=True)
            os.unlink(path)
    return run


def driver_way(driver):
    from nimbus.core.interfaces import volume as volume_if

    def run(ops):
        for _ in range(ops):
            spec = volume_if.VolumeSpec(id=str(uuid.uuid4()), size=1)
            spec.provider_location = driver.create_volume(spec)
            driver.delete_volume(spec)
    return run


def service_way(api, ctx, finished):
    """``finished``: a queue the manager puts each volume id on when it
    has finished creating or deleting it (see :func:`build`)."""
    def run(ops):
        for _ in range(ops):
            volume = api.create_volume(ctx, 1)
            assert finished.get(timeout=60) == volume["id"]
            assert api.get_volume(ctx, volume["id"])["status"] == \
                "available"
            api.delete_volume(ctx, volume["id"])
            assert finished.get(timeout=60) == volume["id"]
    return run


def _signalling(method, finished):
    def wrapper(context, volume_id, **kwargs):
        try:
            return method(context, volume_id, **kwargs)
        finally:
            finished.put(volume_id)
    return wrapper


def build(state):
    """Configuration, database, a running nimbus-volume service (file
    driver, local target) and the volume API, all in this process."""
    from nimbus.core import bootstrap, privileged, rpc
    from nimbus.core import context as nimbus_context
    from nimbus.core import service as service_mod
    from nimbus.core.db import migration
    from nimbus.core.db import setup as db_setup
    from nimbus.core.volume import api as volume_api
    from nimbus.core.volume import manager as volume_manager
    volumes = os.path.join(state, "volumes")
    conf_file = os.path.join(state, "nimbus.conf")
    with open(conf_file, "w") as f:
        f.write(f"[DEFAULT]\nstate_path = {state}\nhost = bench-vol\n"
                f"log_file = {os.path.join(state, 'bench.log')}\n"
                f"[volume]\ndriver = file\ntarget = local\n"
                f"capacity_report_interval = 3600\n"
                f"[volume_file]\ndirectory = {volumes}\ntotal_gb = 100000\n"
                f"[quota]\nvolumes = -1\ngigabytes = -1\n")
    conf = bootstrap.parse_config(["--config-file", conf_file],
                                  "volume-bench", default_config_files=[],
                                  transport_url="fake://")
    privileged.start()
    handle = db_setup.use_database(conf)
    migration.sync()
    rpc.init(conf)
    manager = volume_manager.VolumeManager(conf, conf.host, handle)
    finished = queue.Queue()
    for name in ("create_volume", "delete_volume"):
        setattr(manager, name, _signalling(getattr(manager, name), finished))
    service = service_mod.Service(conf, "nimbus-volume", "volume", manager,
                                  conf.host)
    service.start()
    api = volume_api.VolumeAPI(conf, handle)
    ctx = nimbus_context.RequestContext(user_id="bench", project_id="bench",
                                        roles=["member"], overwrite=False)
    return service, manager.driver, api, ctx, volumes, finished


def count_sql():
    """Count transactions (``begin``) and statements on the engine while
    ``counts["active"]``; return the counts dict."""
    from sqlalchemy import event

    from nimbus.core.db import engine
    counts = {"active": False, "begin": 0, "statements": 0}

    def begin(conn):
        if counts["active"]:
            counts["begin"] += 1

    def statement(*args):
        if counts["active"]:
            counts["statements"] += 1
    event.listen(engine.get_engine(), "begin", begin)
    event.listen(engine.get_engine(), "before_cursor_execute", statement)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=40,
                        help="create+delete pairs per round and way")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    state = tempfile.mkdtemp(prefix="nimbus-volbench-")
    service = None
    try:
        service, driver, api, ctx, volumes, finished = build(state)
        ways = {"raw": raw_way(volumes), "driver": driver_way(driver),
                "service": service_way(api, ctx, finished)}
        for run in ways.values():  # warm up caches and code paths
            run(3)
        samples = {name: [] for name in ways}
        sql = count_sql()
        for _ in range(args.rounds):
            for name, run in ways.items():
                sql.update(active=name == "service")
                samples[name].append(measure(run, args.ops))
        sql["active"] = False
        result = {"ops_per_round": args.ops, "rounds": args.rounds,
                  "cpus": os.cpu_count(), "load_avg_1m": os.getloadavg()[0]}
        for name, values in samples.items():
            result[name] = {
                "pairs_per_s": round(statistics.median(
                    v[0] for v in values), 1),
                "cpu_ms_per_pair": round(statistics.median(
                    v[1] for v in values), 2),
                "pairs_per_s_rounds": [round(v[0], 1) for v in values]}
        pairs = args.ops * args.rounds
        result["service"]["transactions_per_pair"] = round(
            sql["begin"] / pairs, 1)
        result["service"]["statements_per_pair"] = round(
            sql["statements"] / pairs, 1)
        raw = result["raw"]["pairs_per_s"]
        result["overhead_service_vs_raw"] = round(
            raw / result["service"]["pairs_per_s"], 2)
        result["overhead_driver_vs_raw"] = round(
            raw / result["driver"]["pairs_per_s"], 2)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            for name in ways:
                print(f"{name:8s} {result[name]['pairs_per_s']:8.1f} "
                      f"pairs/s  {result[name]['cpu_ms_per_pair']:7.2f} "
                      f"CPU ms/pair")
            print(f"service: {result['service']['transactions_per_pair']} "
                  f"transactions, {result['service']['statements_per_pair']}"
                  f" statements per pair")
            print(f"service/raw time ratio: "
                  f"{result['overhead_service_vs_raw']}x, driver/raw: "
                  f"{result['overhead_driver_vs_raw']}x")
        return 0
    finally:
        if service is not None:
            service.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
