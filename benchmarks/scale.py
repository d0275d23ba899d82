"""Scale on one machine: a fleet of fake compute hosts and many servers.

Builds a cloud in a fresh nimbus-all (SQLite, the in-process ``local://``
transport, the fake hypervisor) whose ``--hosts`` compute hosts are one
compute fleet (``[all] fleet_hosts``: each host has its own service
record, heartbeat, inventory report, periodic tasks and RPC target, but
they share one RPC listener and one timer), measures it, and tears it
down:

1. start with the hosts and no server: ``start_s`` (exec until the API
   answers and every hypervisor is up, asked of ``os-hypervisors/
   statistics``, one cheap call a second); ``rss_per_host_kib`` from the
   fleet's own log line (RSS before and after its hosts started);
   then stop it;
2. **seed** ``--servers`` servers *directly into the database* (bulk SQL:
   instance rows ACTIVE on their hosts, their allocations and the nodes'
   usage; no ports, no instance actions) and into each fake host's state
   file (``[fake] persist``), so each host's hypervisor knows its guests.
   This is the fast path: booting 100,000 servers through the API would
   take the better part of an hour on a small machine;
3. start again with the servers: ``rss_per_server_kib`` is the RSS
   difference between the two starts over the servers;
4. ``--runs`` times: ``idle_cpu_pct`` (nimbus-all's CPU from /proc over
   ``--idle`` seconds, percent of one core, nothing asked of it); a burst
   of ``--boots`` real API boots from 8 client threads (``boots_per_s``:
   boots over the time from the first POST to the last ``launched_at``;
   completion is asked one building server at a time, never a listing;
   ``cpu_ms_per_boot``), then their deletion, and the scheduler's
   ``burst_decisions_per_s`` in it; ``decisions_per_s``: ``--probe``
   boots from one client (each POST answers before its server is
   scheduled, so they may still queue), the scheduler's decisions over
   the seconds it spent deciding them (nimbus-all's Prometheus
   ``nimbus_scheduler_decision_seconds``, which leaves out each
   request's wait for the decision lock: ``select_destinations``'s RPC
   latency would count that wait once per queued request);
   ``GET /servers/detail?limit=1000`` ``--lists`` times over successive
   pages (``list_p50_ms``, ``list_p99_ms``, ``cpu_ms_per_list``);
5. SIGTERM, and the state directory is removed.

Medians over the runs; the periodic-task intervals used are printed with
the figures (``--sync-interval``: Nova's default power-sync period).

    python benchmarks/scale.py --hosts 1000 --servers 10000 --json
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import requests

CLK_TCK = os.sysconf("SC_CLK_TCK")
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
ADMIN = {"X-Auth-Token": "admin:admin"}
DEMO = {"X-Auth-Token": "demo:demo", "Content-Type": "application/json",
        # networks "none": seeded servers have no ports either
        "X-OpenStack-Nova-API-Version": "2.37"}
#: the flavor of seeded and booted servers (nimbus's m1.nano).
FLAVOR = {"id": "6", "name": "m1.nano", "vcpus": 1, "memory_mb": 128,
          "root_gb": 1}


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_s(pid):
    values = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(
        ")", 1)[1].split()
    return (int(values[11]) + int(values[12])) / CLK_TCK


def _rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def log(*args):
    print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr,
          flush=True)


class Cloud:
    """One nimbus-all with a compute fleet, in its own state directory."""

    def __init__(self, tmp, hosts, sync_interval):
        self.tmp = pathlib.Path(tmp)
        self.hosts = hosts
        self.port = _free_port()
        self.metrics_port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = self.tmp / "nimbus.conf"
        self.intervals = {"report_interval": 10,
                          "resource_report_interval": 60,
                          "sync_power_state_interval": sync_interval,
                          "task_state_check_interval": sync_interval,
                          "shelved_poll_interval": 3600}
        self.conf.write_text(f"""[DEFAULT]
state_path = {tmp}/state
host = bench
transport_url = local://
report_interval = {self.intervals['report_interval']}
service_down_time = 120
[api]
bind_port = {self.port}
auth_strategy = noauth2
[ec2]
bind_port = {_free_port()}
[network]
metadata_port = {_free_port()}
[metrics]
port = {self.metrics_port}
[all]
compute_hosts =
fleet_hosts = {hosts}
[compute]
resource_report_interval = {self.intervals['resource_report_interval']}
sync_power_state_interval = {sync_interval}
[conductor]
task_state_check_interval = {sync_interval}
[quota]
instances = -1
cores = -1
ram = -1
[fake]
persist = true
""")
        self.proc = None
        self.logfile = self.tmp / "all.log"

    @property
    def db_path(self):
        return self.tmp / "state" / "nimbus.sqlite"

    def start(self, timeout):
        binary = os.path.join(os.path.dirname(sys.executable), "nimbus-all")
        started = time.monotonic()
        with open(self.logfile, "ab") as out:
            self.proc = subprocess.Popen(
                [binary, "--config-file", str(self.conf)],
                stdout=out, stderr=subprocess.STDOUT)
        while not self._all_up():
            if self.proc.poll() is not None or \
                    time.monotonic() - started > timeout:
                raise RuntimeError(f"nimbus-all did not come up: "
                                   f"{self.logfile}")
            time.sleep(1.0)
        return time.monotonic() - started

    def _all_up(self):
        try:
            stats = requests.get(
                self.url + "/v2.1/os-hypervisors/statistics", headers=ADMIN,
                timeout=30).json()["hypervisor_statistics"]
        except (requests.RequestException, ValueError, KeyError):
            return False
        return stats["count"] >= self.hosts

    def fleet_rss(self):
        """(before, after) RSS in bytes from the fleet's last start line."""
        found = re.findall(r"started \d+ hosts in .*\(RSS (\d+) -> (\d+)",
                           self.logfile.read_text())
        return tuple(int(x) for x in found[-1])

    def stop(self):
        if self.proc is None:
            return 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        return time.monotonic() - started

    def metric(self, name, labels):
        text = requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics",
                            timeout=30).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith((name + "{", name + " ")) and all(
                    f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def decisions(self):
        """(decisions, seconds spent deciding) of the scheduler so far
        (``nimbus_scheduler_decision_seconds``: without the waits for
        its decision lock)."""
        return tuple(self.metric(f"nimbus_scheduler_decision_seconds_{part}",
                                 {}) for part in ("count", "sum"))


def seed(cloud, servers):
    """Put ``servers`` ACTIVE servers of the demo project straight into
    the database (round robin over the hosts) and into each fake host's
    state file. Returns the seconds it took."""
    started = time.monotonic()
    now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(cloud.db_path)
    nodes = dict(db.execute(
        "SELECT host, id FROM compute_nodes WHERE deleted = 0"))
    hosts = sorted(nodes)
    guests = {host: {} for host in hosts}
    rows, allocations = [], []
    for n in range(servers):
        host = hosts[n % len(hosts)]
        sid = str(uuid.uuid4())
        rows.append((sid, f"seed-{n}", "demo", "demo", host, host,
                     DEMO_IMAGE, FLAVOR["id"], FLAVOR["name"],
                     FLAVOR["vcpus"], FLAVOR["memory_mb"], FLAVOR["root_gb"],
                     "active", 1, now, now, now, f"seed-{n}"))
        allocations.append((sid, nodes[host], FLAVOR["vcpus"],
                            FLAVOR["memory_mb"], FLAVOR["root_gb"], now))
        guests[host][sid] = {
            "name": f"seed-{n}", "vcpus": FLAVOR["vcpus"],
            "memory_mb": FLAVOR["memory_mb"], "root_gb": FLAVOR["root_gb"],
            "disks": {}, "shareable": [], "vifs": {}, "power_state": 1,
            "console": [], "image": DEMO_IMAGE, "rescue_image": None}
    with db:
        db.executemany(
            "INSERT INTO instances (uuid, display_name, project_id, user_id,"
            " host, node, image_ref, flavor_id, flavor_name, vcpus,"
            " memory_mb, root_gb, vm_state, power_state, launched_at,"
            " created_at, updated_at, hostname, ephemeral_gb, swap,"
            " extra_specs, metadata_json, system_metadata, locked,"
            " launch_index, progress, deleted) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '{}', '{}', '{}', 0, 0,"
            " 0, 0)", rows)
        db.executemany(
            "INSERT INTO allocations (consumer_uuid, compute_node_id, vcpus,"
            " memory_mb, disk_gb, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            allocations)
        db.execute(
            "UPDATE compute_nodes SET"
            " vcpus_used = (SELECT COALESCE(SUM(vcpus), 0) FROM allocations"
            "  WHERE compute_node_id = compute_nodes.id),"
            " memory_mb_used = (SELECT COALESCE(SUM(memory_mb), 0)"
            "  FROM allocations WHERE compute_node_id = compute_nodes.id),"
            " local_gb_used = (SELECT COALESCE(SUM(disk_gb), 0)"
            "  FROM allocations WHERE compute_node_id = compute_nodes.id),"
            " running_vms = (SELECT COUNT(*) FROM allocations"
            "  WHERE compute_node_id = compute_nodes.id)")
    db.close()
    fake_dir = cloud.tmp / "state" / "fake"
    fake_dir.mkdir(parents=True, exist_ok=True)
    for host, theirs in guests.items():
        (fake_dir / f"{host}.json").write_text(json.dumps(theirs))
    return time.monotonic() - started


def boot_burst(cloud, count, clients=8):
    """POST ``count`` boots, wait until none builds, delete them.
    Returns (boots/s, CPU seconds of nimbus-all over the boots,
    select_destinations calls, seconds the scheduler spent in them)."""
    session = requests.Session()
    body = json.dumps({"server": {"name": "burst", "imageRef": DEMO_IMAGE,
                                  "flavorRef": FLAVOR["id"],
                                  "networks": "none"}})
    calls0, spent0 = cloud.decisions()
    cpu0 = _cpu_s(cloud.proc.pid)

    def post(_):
        response = session.post(cloud.url + "/v2.1/servers", data=body,
                                headers=DEMO, timeout=120)
        if response.status_code != 202:
            raise RuntimeError(f"POST: {response.status_code} "
                               f"{response.text}")
        return response.json()["server"]["id"]

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        ids = list(pool.map(post, range(count)))
    deadline = time.monotonic() + 600
    while session.get(cloud.url + "/v2.1/servers?status=BUILD&limit=1",
                      headers=DEMO, timeout=60).json()["servers"]:
        if time.monotonic() > deadline:
            raise RuntimeError("boots did not finish")
        time.sleep(0.2)
    cpu = _cpu_s(cloud.proc.pid) - cpu0
    calls, spent = cloud.decisions()
    calls, spent = calls - calls0, spent - spent0
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        shown = list(pool.map(lambda i: session.get(
            f"{cloud.url}/v2.1/servers/{i}", headers=DEMO,
            timeout=60).json()["server"], ids))
    failed = [s for s in shown if s["status"] != "ACTIVE"]
    if failed:
        raise RuntimeError(f"{len(failed)} boots failed: "
                           f"{failed[0].get('fault')}")
    last = max(datetime.datetime.fromisoformat(
        s["OS-SRV-USG:launched_at"]).replace(
            tzinfo=datetime.UTC).timestamp() for s in shown)
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda i: session.delete(
            f"{cloud.url}/v2.1/servers/{i}", headers=DEMO, timeout=60), ids))
    return count / (last - start), cpu, calls, spent


def listing(cloud, count):
    """``count`` GETs of successive 1000-server pages; returns (latencies
    in seconds, CPU seconds of nimbus-all over them)."""
    session = requests.Session()
    latencies, marker = [], None
    cpu0 = _cpu_s(cloud.proc.pid)
    for _ in range(count):
        url = cloud.url + "/v2.1/servers/detail?limit=1000"
        if marker:
            url += f"&marker={marker}"
        start = time.perf_counter()
        response = session.get(url, headers=DEMO, timeout=60)
        latencies.append(time.perf_counter() - start)
        page = response.json()["servers"]
        marker = page[-1]["id"] if len(page) == 1000 else None
    return latencies, _cpu_s(cloud.proc.pid) - cpu0


def _pct(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1,
                       int(round(pct / 100 * (len(ordered) - 1))))]


def measure(cloud, args):
    pid = cloud.proc.pid
    cpu0 = _cpu_s(pid)
    time.sleep(args.idle)
    idle_pct = 100 * (_cpu_s(pid) - cpu0) / args.idle
    boots_s, boot_cpu, burst_calls, burst_spent = boot_burst(
        cloud, args.boots)
    # From one client: the scheduler's time per decision with little
    # else to do.
    _, _, calls, spent = boot_burst(cloud, args.probe, clients=1)
    latencies, list_cpu = listing(cloud, args.lists)
    return {"idle_cpu_pct": idle_pct, "boots_per_s": boots_s,
            "cpu_ms_per_boot": 1000 * boot_cpu / args.boots,
            "decisions_per_s": calls / spent if spent else None,
            "burst_decisions_per_s": (burst_calls / burst_spent
                                      if burst_spent else None),
            "list_p50_ms": 1000 * _pct(latencies, 50),
            "list_p99_ms": 1000 * _pct(latencies, 99),
            "cpu_ms_per_list": 1000 * list_cpu / args.lists}


def build_and_measure(args):
    tmp = tempfile.mkdtemp(prefix="nimbus-scale-")
    cloud = Cloud(tmp, args.hosts, args.sync_interval)
    result = {"hosts": args.hosts, "servers": args.servers,
              "transport": "local:// (nimbus-all, one process)",
              "intervals_s": cloud.intervals, "cpus": os.cpu_count(),
              "load_average_before": os.getloadavg()[0]}
    try:
        log(f"starting {args.hosts} hosts")
        result["start_s"] = cloud.start(args.timeout)
        before, after = cloud.fleet_rss()
        rss_hosts = _rss_kib(cloud.proc.pid)
        result["rss_per_host_kib"] = (after - before) / 1024 / args.hosts
        log(f"up in {result['start_s']:.1f} s; stopping to seed")
        cloud.stop()
        result["seed_s"] = seed(cloud, args.servers)
        log(f"seeded {args.servers} servers in {result['seed_s']:.1f} s")
        result["start_with_servers_s"] = cloud.start(args.timeout)
        rss_all = _rss_kib(cloud.proc.pid)
        result["rss_kib"] = rss_all
        result["rss_per_server_kib"] = (
            (rss_all - rss_hosts) / args.servers if args.servers else None)
        log(f"up again in {result['start_with_servers_s']:.1f} s; "
            f"measuring")
        runs = []
        for n in range(args.runs):
            runs.append(measure(cloud, args))
            log(f"run {n + 1}: {json.dumps(_rounded(runs[-1]))}")
        for key in runs[0]:
            values = [r[key] for r in runs if r[key] is not None]
            result[key] = statistics.median(values) if values else None
        result["runs"] = [_rounded(r) for r in runs]
        result["stop_s"] = cloud.stop()
        result["load_average_after"] = os.getloadavg()[0]
    finally:
        cloud.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return _rounded(result)


def _rounded(values):
    return {k: round(v, 3) if isinstance(v, float) else v
            for k, v in values.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10000)
    parser.add_argument("--servers", type=int, default=100000)
    parser.add_argument("--boots", type=int, default=200,
                        help="servers booted through the API per run")
    parser.add_argument("--probe", type=int, default=10,
                        help="boots one at a time for the scheduler's "
                             "decision rate, per run")
    parser.add_argument("--lists", type=int, default=50,
                        help="GET /servers/detail?limit=1000 per run")
    parser.add_argument("--idle", type=float, default=30.0,
                        help="seconds of idle CPU measured per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sync-interval", type=int, default=600,
                        help="power sync and orphaned-task-state check "
                             "period of every host, seconds")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds a start may take")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout")
    args = parser.parse_args()
    result = build_and_measure(args)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.hosts} hosts, {args.servers} servers "
          f"(load average {result['load_average_before']}):\n"
          f"  start {result['start_s']} s, with servers "
          f"{result['start_with_servers_s']} s\n"
          f"  idle CPU {result['idle_cpu_pct']} % of a core\n"
          f"  boots {result['boots_per_s']}/s "
          f"({result['cpu_ms_per_boot']} CPU-ms each), scheduler "
          f"{result['decisions_per_s']} decisions/s "
          f"({result['burst_decisions_per_s']} in the burst)\n"
          f"  GET /servers/detail?limit=1000 p50 {result['list_p50_ms']} ms,"
          f" p99 {result['list_p99_ms']} ms "
          f"({result['cpu_ms_per_list']} CPU-ms each)\n"
          f"  RSS {result['rss_kib']} KiB: {result['rss_per_host_kib']} "
          f"KiB per host, {result['rss_per_server_kib']} KiB per server")


if __name__ == "__main__":
    main()
