"""Boot throughput: N servers through the API with the fake hypervisor.

Two modes, each measured ``--runs`` times (medians reported):

* ``inprocess``: nimbus-all (every service in one process, SQLite,
  its default ``local://`` transport, or ``--transport fake`` for
  oslo.messaging's polling ``fake://``) as a subprocess;
* ``rabbit``: api, conductor, scheduler and three computes as separate
  processes over RabbitMQ (AMQP 0-9-1, oslo.messaging's rabbit driver)
  and PostgreSQL;
* ``amqp1``: the same deployment over the same broker's AMQP 1.0 plugin
  (nimbus's ``qpid://`` driver). ``--mode transports`` runs both.

The client (this process) POSTs the servers from ``--clients`` threads
with plain HTTP, then waits until none is building, asking for one
building server every 100 ms (a cheap filtered query, not a listing).
``boots_per_s`` is N divided by the time from the first POST to the
last server's ``launched_at`` (when its compute recorded it ACTIVE);
``cpu_ms_per_boot`` is the CPU time (user + system) nimbus's processes
spent over the same interval (including the deletes that follow), divided
by N.

``--baseline-venv DIR`` measures another installation (e.g. main before
a change) in the same run: the two alternate, one fresh nimbus-all per
run in-process; with ``--mode rabbit`` (or ``amqp1``) each has its own
deployment, both up the whole time, taking turns. The ratios are
reported. Over RabbitMQ each service process's CPU per boot is reported
too (``cpu_ms_per_boot_by_process``).
With ``--networks compare`` the four kinds of run (baseline and this
one, each without and with networks) take turns, and each installation's
networks ratio is reported.

Compares run in rounds, one run of each kind per round, the order
reversed every other round, and report beside the ratio of the medians
(``ratio_boots_per_s``, ``ratio_cpu_per_boot``) the median of the
rounds' own ratios (``..._paired``): a round's runs are minutes apart at
most, so a host whose speed drifts during the session (as shared cloud
hosts do, by a factor of two within ten minutes here) weighs on both
sides of each pair alike.

``--networks none`` runs nimbus-all without any network (``[network]
create_default_network = false``: servers get no NIC, nimbus-network is
never asked); ``--networks compare`` alternates that with the default
(every server gets a port and an address from the default network,
plugged and filtered through the fake network plugin) in the same run
and reports the ratios.

    python benchmarks/boot_throughput.py --servers 200 --runs 3 --json
    python benchmarks/boot_throughput.py --mode inprocess --runs 5 \
        --baseline-venv ../base/.venv
    python benchmarks/boot_throughput.py --mode inprocess --runs 3 \
        --networks compare
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests import real  # noqa: E402
from tests.integration import procs  # noqa: E402

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
HOSTS = ("bench-1", "bench-2", "bench-3")
TOKEN = {"X-Auth-Token": "bench:bench",
         "Content-Type": "application/json"}


def _wait_api(url, proc=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("nimbus exited during start-up")
        time.sleep(0.2)
    raise RuntimeError("API did not come up")


def _wait_hypervisors(url, count, timeout=60):
    headers = {"X-Auth-Token": "admin:admin"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(url + "/v2.1/os-hypervisors",
                            headers=headers, timeout=10).json()
        if len([h for h in body["hypervisors"] if h["state"] == "up"]) \
                >= count:
            return
        time.sleep(0.2)
    raise RuntimeError("hypervisors did not report")


def boot_run(url, servers, clients):
    """POST ``servers`` boots, then delete them; return (seconds to all
    ACTIVE, POST latencies, seconds to all deleted)."""
    session = requests.Session()
    body = json.dumps({"server": {"name": "bench", "imageRef": DEMO_IMAGE,
                                  "flavorRef": "6"}})

    def post(_):
        start = time.perf_counter()
        response = session.post(url + "/v2.1/servers", data=body,
                                headers=TOKEN, timeout=60)
        elapsed = time.perf_counter() - start
        if response.status_code != 202:
            raise RuntimeError(f"POST failed: {response.status_code} "
                               f"{response.text}")
        return elapsed

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(post, range(servers)))
    _wait_built(session, url)
    listing = session.get(url + "/v2.1/servers/detail", headers=TOKEN,
                          timeout=60).json()["servers"]
    failed = [s for s in listing if s["status"] != "ACTIVE"]
    if failed or len(listing) < servers:
        faults = {(s.get("fault") or {}).get("message") for s in failed}
        raise RuntimeError(f"{len(failed)} boots failed, "
                           f"{servers - len(listing)} missing: "
                           f"{sorted(map(str, faults))}")
    total = max(_launched(s) for s in listing) - start
    return total, latencies, delete_all(session, url, listing, clients)


def delete_all(session, url, listing, clients):
    """DELETE every server of ``listing`` from ``clients`` threads;
    return the seconds until the list is empty."""
    def delete(server):
        response = session.delete(url + "/v2.1/servers/" + server["id"],
                                  headers=TOKEN, timeout=60)
        if response.status_code != 204:
            raise RuntimeError(f"DELETE failed: {response.status_code} "
                               f"{response.text}")

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(delete, listing))
    _wait_empty(session, url)
    return time.perf_counter() - start


def _wait_built(session, url, timeout=300):
    """Wait until no server is building, asking for one building server
    at a time: a cheap filtered query, so the wait itself does not load
    the cloud it measures (the end time comes from ``launched_at``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        building = session.get(url + "/v2.1/servers?status=BUILD&limit=1",
                               headers=TOKEN, timeout=60).json()["servers"]
        if not building:
            return
        time.sleep(0.1)
    raise RuntimeError("servers were still building after "
                       f"{timeout} s")


def _launched(server):
    """When the compute recorded ``server`` ACTIVE, as a Unix time."""
    stamp = datetime.datetime.fromisoformat(server["OS-SRV-USG:launched_at"])
    return stamp.replace(tzinfo=datetime.UTC).timestamp()


def _wait_empty(session, url, timeout=120):
    """Wait until no server is left, asking for one at a time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not session.get(url + "/v2.1/servers?limit=1", headers=TOKEN,
                           timeout=60).json()["servers"]:
            return
        time.sleep(0.05)
    raise RuntimeError("servers were not deleted")


def cpu_seconds(pids):
    """User + system CPU seconds the processes ``pids`` have used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measured_run(url, servers, clients, pids):
    """One boot run; return (seconds, latencies, CPU seconds of pids,
    seconds to delete them all)."""
    before = cpu_seconds(pids)
    total, latencies, deleting = boot_run(url, servers, clients)
    return total, latencies, cpu_seconds(pids) - before, deleting


def _percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _summary(mode, servers, runs):
    rates = [servers / run[0] for run in runs]
    deletes = [servers / run[3] for run in runs]
    cpu = [run[2] * 1000 / servers for run in runs]
    p50 = [_percentile(run[1], 50) * 1000 for run in runs]
    p99 = [_percentile(run[1], 99) * 1000 for run in runs]
    return {"mode": mode, "servers": servers, "runs": len(runs),
            "boots_per_s": round(statistics.median(rates), 1),
            "boots_per_s_all": [round(r, 1) for r in rates],
            "deletes_per_s": round(statistics.median(deletes), 1),
            "deletes_per_s_all": [round(r, 1) for r in deletes],
            "cpu_ms_per_boot": round(statistics.median(cpu), 2),
            "cpu_ms_per_boot_all": [round(c, 2) for c in cpu],
            "post_p50_ms": round(statistics.median(p50), 1),
            "post_p99_ms": round(statistics.median(p99), 1)}


def run_inprocess(args):
    binary = os.path.join(os.path.dirname(sys.executable), "nimbus-all")
    networks = args.networks != "none"
    runs = inprocess_session(binary, args, args.runs, networks=networks)
    return _summary("inprocess" if networks else "inprocess-no-networks",
                    args.servers, runs)


def run_compare_networks(args, binary=None, label=""):
    """Alternate nimbus-all without networks and with the default
    network, a fresh process per run."""
    binary = binary or os.path.join(os.path.dirname(sys.executable),
                                    "nimbus-all")
    runs = {False: [], True: []}
    for index in range(args.runs):
        for on in _turns((False, True), index):
            runs[on] += inprocess_session(binary, args, 1, networks=on)
    return _networks_pair(args.servers, runs[False], runs[True], label)


def _turns(kinds, index):
    """The order of round ``index``'s runs: reversed every other round,
    so a steady drift of the host's speed favours no kind."""
    return tuple(kinds) if index % 2 == 0 else tuple(reversed(kinds))


def _ratios(result, base):
    """Add to ``result`` its ratios to ``base``: of the medians, and
    the median of the rounds' own ratios (``_paired``; see the module's
    doc)."""
    for key, ratio in (("boots_per_s", "ratio_boots_per_s"),
                       ("cpu_ms_per_boot", "ratio_cpu_per_boot")):
        result[ratio] = round(result[key] / base[key], 3)
        result[ratio + "_paired"] = round(statistics.median(
            mine / theirs for mine, theirs in zip(
                result[key + "_all"], base[key + "_all"], strict=True)), 3)


def _networks_pair(servers, off_runs, on_runs, label=""):
    off = _summary("inprocess-no-networks" + label, servers, off_runs)
    on = _summary("inprocess-networks" + label, servers, on_runs)
    _ratios(on, off)
    return [off, on]


def run_compare_networks_baseline(args):
    """``--networks compare`` for the baseline's nimbus-all and this
    one, every run of the four kinds in turn (baseline without and with
    networks, this one without and with), so a load that changes
    during the session weighs on all four alike."""
    binaries = {"-baseline": os.path.join(args.baseline_venv, "bin",
                                          "nimbus-all"),
                "": os.path.join(os.path.dirname(sys.executable),
                                 "nimbus-all")}
    runs = {(label, on): [] for label in binaries for on in (False, True)}
    for index in range(args.runs):
        for label, on in _turns(runs, index):
            runs[label, on] += inprocess_session(binaries[label], args, 1,
                                                 networks=on)
    return [result for label in binaries for result in _networks_pair(
        args.servers, runs[label, False], runs[label, True], label)]


def run_compare(args):
    """Alternate the baseline's nimbus-all and this one, a run each
    (``--networks none``: both without networks)."""
    mine = os.path.join(os.path.dirname(sys.executable), "nimbus-all")
    theirs = os.path.join(args.baseline_venv, "bin", "nimbus-all")
    binaries = {"baseline": theirs, "current": mine}
    networks = args.networks != "none"
    runs = {label: [] for label in binaries}
    for index in range(args.runs):
        for label in _turns(binaries, index):
            runs[label] += inprocess_session(binaries[label], args, 1,
                                             networks=networks)
    mode = "inprocess" if networks else "inprocess-no-networks"
    base = _summary(mode + "-baseline", args.servers, runs["baseline"])
    current = _summary(mode, args.servers, runs["current"])
    _ratios(current, base)
    return [base, current]


def inprocess_session(binary, args, count, networks=True):
    """Start ``binary`` (a nimbus-all), warm it up, measure ``count``
    runs, stop it; return the runs.

    :param networks: False: no default network (servers get no NIC).
    """
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        conf = pathlib.Path(tmp, "nimbus.conf")
        conf.write_text(
            f"[DEFAULT]\nstate_path = {tmp}/state\nhost = bench\n"
            f"transport_url = {args.transport}://\n"
            f"[api]\nbind_port = {port}\nauth_strategy = noauth2\n"
            # Not the EC2 API's fixed 8788: two nimbus-alls at once
            # (other benchmarks on the host) would stop each other.
            f"[ec2]\nbind_port = {_free_port()}\n"
            f"[all]\ncompute_hosts = {','.join(HOSTS)}\n"
            "[fake]\npersist = false\n"
            # Nothing a boot counts is limited, with or without
            # networks: the burst measures the boot, not the quota count.
            "[quota]\ninstances = -1\ncores = -1\nram = -1\nport = -1\n"
            + ("" if networks else
               "[network]\ncreate_default_network = false\n"))
        with open(os.path.join(tmp, "all.log"), "wb") as log:
            proc = subprocess.Popen([binary, "--config-file", str(conf)],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_api(url, proc)
            _wait_hypervisors(url, len(HOSTS))
            boot_run(url, min(20, args.servers), args.clients)  # warm up
            return [measured_run(url, args.servers, args.clients,
                                 [proc.pid]) for _ in range(count)]
        except Exception:
            tail = pathlib.Path(tmp, "all.log").read_text(
                errors="replace")[-3000:]
            print(f"--- {binary} log (tail) ---\n{tail}", file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run_rabbit(args, mode="rabbit"):
    runs, by_process = [], []
    with _rabbit_deployment(args, mode) as deployment:
        for _ in range(args.runs):
            _rabbit_run(deployment, args, runs, by_process)
    return _rabbit_summary(mode, args, runs, by_process)


def run_rabbit_compare(args, mode="rabbit"):
    """The baseline's deployment and this one's, both up, their runs
    alternating in rounds (see the module's doc)."""
    bins = {"baseline": os.path.join(args.baseline_venv, "bin"),
            "current": procs.BIN}
    with contextlib.ExitStack() as stack:
        deployments = {label: stack.enter_context(
            _rabbit_deployment(args, mode, bin_dir)) for label, bin_dir
            in bins.items()}
        runs = {label: ([], []) for label in bins}
        for index in range(args.runs):
            for label in _turns(bins, index):
                _rabbit_run(deployments[label], args, *runs[label])
    base = _rabbit_summary(mode + "-baseline", args, *runs["baseline"])
    current = _rabbit_summary(mode, args, *runs["current"])
    _ratios(current, base)
    return [base, current]


@contextlib.contextmanager
def _rabbit_deployment(args, mode, bin_dir=procs.BIN):
    """A started and warmed-up deployment of the installation in
    ``bin_dir``, stopped and its vhost and database dropped on
    leaving."""
    with tempfile.TemporaryDirectory() as tmp, \
            real.rabbit_vhost() as (transport_url, vhost), \
            real.postgresql_database() as db_url:
        if mode == "amqp1":
            transport_url = f"qpid://guest:guest@127.0.0.1:5672/{vhost}"
        dep = procs.Deployment(pathlib.Path(tmp), transport_url, db_url,
                               extra={"fake": {"persist": "false"}},
                               bin_dir=bin_dir)
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep.state_path)
            dep.start("conductor", "nimbus-conductor")
            dep.start("scheduler", "nimbus-scheduler")
            for host in HOSTS:
                dep.start_compute(host)
            dep.start("api", "nimbus-api")
            dep.wait_api()
            _wait_hypervisors(dep.url, len(HOSTS))
            boot_run(dep.url, min(20, args.servers), args.clients)
            yield dep
        except Exception:
            for name in dep.procs:
                tail = dep.log(name)[-3000:]
                print(f"--- {name} log (tail) ---\n{tail}", file=sys.stderr)
            raise
        finally:
            dep.stop_all()


def _rabbit_run(dep, args, runs, by_process):
    """One measured run on ``dep``: appended to ``runs``, and each
    process's CPU ms per boot to ``by_process``."""
    pids = {name: p.pid for name, p in dep.procs.items()}
    before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
    runs.append(measured_run(dep.url, args.servers, args.clients,
                             list(pids.values())))
    by_process.append({
        name: (cpu_seconds([pid]) - before[name]) * 1000 / args.servers
        for name, pid in pids.items()})


def _rabbit_summary(mode, args, runs, by_process):
    result = _summary(mode, args.servers, runs)
    # where the CPU goes: each service process's own, median of the runs
    result["cpu_ms_per_boot_by_process"] = {
        name: round(statistics.median(run[name] for run in by_process), 2)
        for name in by_process[0]}
    return result


def _seed_image(state_path):
    from nimbus.core.interfaces import images
    record = images.new_record({"id": DEMO_IMAGE, "name": "demo"})
    record.update(status="active", size=4)
    store = state_path / "images"
    store.mkdir(parents=True, exist_ok=True)
    (store / f"{DEMO_IMAGE}.json").write_text(json.dumps(record))
    (store / f"{DEMO_IMAGE}.data").write_bytes(b"demo")


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mode", default="both", choices=[
        "inprocess", "rabbit", "amqp1", "both", "transports"],
        help="both: inprocess and rabbit; transports: rabbit and amqp1")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per mode")
    parser.add_argument("--networks", choices=["default", "none", "compare"],
                        default="default",
                        help="in-process: with the default network, "
                             "without any, or both alternating")
    parser.add_argument("--transport", choices=["local", "fake"],
                        default="local",
                        help="in-process: nimbus-all's local:// (its "
                             "default) or oslo.messaging's fake://")
    parser.add_argument("--baseline-venv", metavar="DIR",
                        help="also measure the nimbus installed in this "
                             "virtualenv (in-process, or with --mode "
                             "rabbit or amqp1 its own deployment), "
                             "alternating with this one")
    args = parser.parse_args()
    if args.baseline_venv and args.mode in ("rabbit", "amqp1"):
        results = run_rabbit_compare(args, args.mode)
    elif args.baseline_venv and args.networks == "compare":
        results = run_compare_networks_baseline(args)
    elif args.baseline_venv:
        results = run_compare(args)
    elif args.networks == "compare":
        results = run_compare_networks(args)
    else:
        modes = {"both": ["inprocess", "rabbit"],
                 "transports": ["rabbit", "amqp1"]}.get(args.mode,
                                                        [args.mode])
        runners = {"inprocess": run_inprocess, "rabbit": run_rabbit,
                   "amqp1": lambda a: run_rabbit(a, "amqp1")}
        results = [runners[m](args) for m in modes]
    for result in results:
        _report(result, args.json)


def _report(result, as_json):
    if as_json:
        print(json.dumps(result), flush=True)
        return
    line = (f"{result['mode']:18s} {result['servers']} servers: "
            f"{result['boots_per_s']} boots/s (runs "
            f"{result['boots_per_s_all']}), "
            f"{result['deletes_per_s']} deletes/s, CPU "
            f"{result['cpu_ms_per_boot']} ms/boot, POST p50 "
            f"{result['post_p50_ms']} ms, p99 {result['post_p99_ms']} ms")
    if "ratio_boots_per_s" in result:
        line += (f"; vs {'no networks' if 'networks' in result['mode'] else 'baseline'}: boots/s x{result['ratio_boots_per_s']}, "
                 f"CPU/boot x{result['ratio_cpu_per_boot']} (by rounds "
                 f"x{result['ratio_boots_per_s_paired']}, "
                 f"x{result['ratio_cpu_per_boot_paired']})")
    if "cpu_ms_per_boot_by_process" in result:
        line += "; CPU ms/boot by process: " + ", ".join(
            f"{name} {ms}" for name, ms in
            result["cpu_ms_per_boot_by_process"].items())
    print(line, flush=True)


if __name__ == "__main__":
    main()
