"""Start, idle and stop of nimbus-all with many fake compute hosts.

Each run starts a fresh nimbus-all (SQLite, fake hypervisor, ``--hosts``
compute services in the one process) as a subprocess and measures:

* ``start_s``: from exec until the API answers and every host's
  hypervisor is reported up (what an operator waits for);
* ``start_cpu_s``: the process's CPU (user + system) spent by then,
  which a loaded machine stretches less than ``start_s``;
* ``idle_cpu_pct``: the process's CPU (user + system, from /proc) over
  ``--idle`` seconds once it is up and nothing is asked of it, in percent
  of one core;
* ``stop_s``: from SIGTERM until the process has exited.

Runs alternate the transports given with ``--transport`` (nimbus-all's
default ``local://`` and oslo.messaging's polling ``fake://``), a fresh
process per run; medians of ``--runs`` runs per transport, with the
ratios against the first transport. The first run of all is a warm-up
(imports from a cold page cache) and is not counted.

    python benchmarks/start_stop.py --hosts 100 --runs 3 --json
"""

import argparse
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import requests

CLK_TCK = os.sysconf("SC_CLK_TCK")
_KEYS = ("start_s", "start_cpu_s", "idle_cpu_pct", "stop_s")


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_s(pid):
    """User + system CPU seconds of ``pid`` (all its threads)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
    values = fields[1].split()
    return (int(values[11]) + int(values[12])) / CLK_TCK


def _up(url, hosts):
    try:
        body = requests.get(url + "/v2.1/os-hypervisors",
                            headers={"X-Auth-Token": "admin:admin"},
                            timeout=5).json()
    except (requests.RequestException, ValueError):
        return False
    return len([h for h in body.get("hypervisors", ())
                if h["state"] == "up"]) >= hosts


def one_run(binary, hosts, transport, idle, timeout=120):
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        names = ",".join(f"host-{i}" for i in range(hosts))
        conf = pathlib.Path(tmp, "nimbus.conf")
        conf.write_text(
            f"[DEFAULT]\nstate_path = {tmp}/state\nhost = bench\n"
            f"transport_url = {transport}://\n"
            f"[api]\nbind_port = {port}\nauth_strategy = noauth2\n"
            f"[ec2]\nbind_port = {_free_port()}\n"
            f"[network]\nmetadata_port = {_free_port()}\n"
            f"[all]\ncompute_hosts = {names}\n"
            "[fake]\npersist = false\n")
        url = f"http://127.0.0.1:{port}"
        with open(os.path.join(tmp, "all.log"), "wb") as log:
            start = time.monotonic()
            proc = subprocess.Popen([binary, "--config-file", str(conf)],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            while not _up(url, hosts):
                if proc.poll() is not None or \
                        time.monotonic() - start > timeout:
                    raise RuntimeError(
                        f"nimbus-all did not come up; see {tmp}/all.log")
                time.sleep(0.1)
            start_s = time.monotonic() - start
            cpu0 = _cpu_s(proc.pid)
            start_cpu = cpu0
            time.sleep(idle)
            idle_pct = 100 * (_cpu_s(proc.pid) - cpu0) / idle
            stop = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            stop_s = time.monotonic() - stop
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return {"start_s": start_s, "start_cpu_s": start_cpu,
            "idle_cpu_pct": idle_pct, "stop_s": stop_s}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0,
                        help="seconds of idle CPU measured per run")
    parser.add_argument("--transport", nargs="+", default=["local", "fake"],
                        choices=["local", "fake"])
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout")
    args = parser.parse_args()
    binary = os.path.join(os.path.dirname(sys.executable), "nimbus-all")
    one_run(binary, args.hosts, args.transport[0], 1.0)   # warm-up
    runs = {t: [] for t in args.transport}
    for _ in range(args.runs):
        for transport in args.transport:
            runs[transport].append(
                one_run(binary, args.hosts, transport, args.idle))
            print(f"{transport}: {runs[transport][-1]}", file=sys.stderr)
    result = {"hosts": args.hosts, "runs": args.runs,
              "load_average": os.getloadavg()[0], "transports": {}}
    base = None
    for transport, samples in runs.items():
        summary = {key: round(statistics.median(s[key] for s in samples), 2)
                   for key in _KEYS}
        summary["all"] = [{k: round(v, 2) for k, v in s.items()}
                          for s in samples]
        if base is None:
            base = summary
        else:
            summary["ratio_to_" + args.transport[0]] = {
                key: round(summary[key] / base[key], 2) if base[key] else None
                for key in _KEYS}
        result["transports"][transport] = summary
    if args.json:
        print(json.dumps(result))
        return
    for transport, summary in result["transports"].items():
        print(f"{transport:6s} {args.hosts} hosts: start "
              f"{summary['start_s']} s ({summary['start_cpu_s']} s CPU), "
              f"idle CPU {summary['idle_cpu_pct']} %"
              f" of a core, stop {summary['stop_s']} s")


if __name__ == "__main__":
    main()
