"""What one ``nimbus`` CLI call costs its user: CPU and wall clock.

A fresh nimbus-all (embedded default, fake hosts, its own state path,
bcrypt at the configured cost) runs as a subprocess; each run is one
``nimbus <command>`` process from exec to exit, against it, with the
clouds.yaml nimbus-all wrote. Reported per command: the medians over
``--runs`` runs of the client process's CPU (user + system, from
``getrusage``) and wall time, and the CPU of nimbus-all over the same
calls divided by their number (what the server spent answering one).

``--baseline-venv DIR`` runs the same calls with another installation's
CLI (e.g. main before a change) against the same nimbus-all, the two
alternating call by call, and reports the ratios. The CLI is started as
``DIR/bin/python -c 'from nimbus.cli.shell import main; ...'`` for both,
so a copied venv's console scripts (whose shebangs name the original
venv) are never what is measured.

    python benchmarks/cli_call.py --runs 7 --json
    python benchmarks/cli_call.py --runs 7 --baseline-venv ../base/.venv
"""

import argparse
import json
import os
import pathlib
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
COMMANDS = {
    "flavor list": ["flavor", "list", "-f", "value"],
    "server show": ["server", "show", "bench", "-f", "json"],
    "help": ["--help"],
}
_MAIN = ("import sys; from nimbus.cli.shell import main; "
         "sys.exit(main(sys.argv[1:]))")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _call(python, argv, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([python, "-c", _MAIN, *argv], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise SystemExit(f"nimbus {' '.join(argv)}: {out.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                  before.ru_stime)
    return wall, cpu


def _start_all(tmp, venv):
    conf = pathlib.Path(tmp, "nimbus.conf")
    conf.write_text(
        f"[DEFAULT]\nstate_path = {tmp}/state\n"
        f"[api]\nbind_port = {_free_port()}\n"
        f"[ec2]\nbind_port = {_free_port()}\n"
        f"[network]\nmetadata_port = {_free_port()}\n"
        "[fake]\npersist = false\n")
    log = open(os.path.join(tmp, "all.log"), "wb")
    proc = subprocess.Popen(
        [os.path.join(venv, "bin", "python"), "-c",
         "import sys; from nimbus.cli.daemons.all import main; "
         "sys.exit(main())", "--config-file", str(conf)],
        stdout=log, stderr=subprocess.STDOUT)
    clouds = pathlib.Path(tmp, "state", "clouds.yaml")
    deadline = time.monotonic() + 120
    while not clouds.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("nimbus-all did not start: see " + log.name)
        time.sleep(0.2)
    return proc, log, dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
                           OS_CLOUD="nimbus")


def _median(values):
    return round(statistics.median(values), 3)


def run(args):
    here = os.path.dirname(sys.executable)
    installs = {"this": os.path.dirname(here)}
    if args.baseline_venv:
        installs = {"baseline": args.baseline_venv, **installs}
    pythons = {name: os.path.join(venv, "bin", "python")
               for name, venv in installs.items()}
    with tempfile.TemporaryDirectory() as tmp:
        proc, log, env = _start_all(tmp, installs["this"])
        try:
            _call(pythons["this"], ["server", "create", "--flavor",
                                    "m1.tiny", "--image", "demo", "bench",
                                    "--wait"], env)
            for python in pythons.values():          # warm-up
                _call(python, COMMANDS["flavor list"], env)
            samples = {(n, c): [] for n in pythons for c in COMMANDS}
            server_cpu = {key: 0.0 for key in samples}
            for _ in range(args.runs):
                for command, argv in COMMANDS.items():
                    for name, python in pythons.items():
                        before = _proc_cpu(proc.pid)
                        samples[name, command].append(
                            _call(python, argv, env))
                        server_cpu[name, command] += \
                            _proc_cpu(proc.pid) - before
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            log.close()
    result = {"runs": args.runs, "load_average": os.getloadavg()[0],
              "commands": {}}
    for command in COMMANDS:
        rows = {}
        for name in pythons:
            got = samples[name, command]
            rows[name] = {
                "wall_s": _median(w for w, _ in got),
                "cpu_s": _median(c for _, c in got),
                "server_cpu_s": round(server_cpu[name, command] /
                                      args.runs, 3),
                "cpu_runs": [round(c, 2) for _, c in got]}
        if args.baseline_venv:
            rows["ratio_cpu"] = round(rows["this"]["cpu_s"] /
                                      rows["baseline"]["cpu_s"], 2)
            rows["ratio_wall"] = round(rows["this"]["wall_s"] /
                                       rows["baseline"]["wall_s"], 2)
        result["commands"][command] = rows
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-venv", metavar="DIR")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return
    for command, rows in result["commands"].items():
        for name, row in rows.items():
            if isinstance(row, dict):
                print(f"{command:12} {name:9} CPU {row['cpu_s']:.2f} s  "
                      f"wall {row['wall_s']:.2f} s  server CPU "
                      f"{row['server_cpu_s']:.3f} s")
        if "ratio_cpu" in rows:
            print(f"{command:12} this/baseline: CPU x{rows['ratio_cpu']}, "
                  f"wall x{rows['ratio_wall']}")
    print(f"load average {result['load_average']:.1f}")


if __name__ == "__main__":
    main()
