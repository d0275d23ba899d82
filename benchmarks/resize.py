"""Resize wall time: nimbus's cold-move workflow, end to end, on fake
hosts (the control plane's own cost: API, conductor, scheduler claim,
two compute steps, the records and claims), against the same run's boot
of a server as the yardstick.

A nimbus-all (SQLite, ``fake://`` transport, fake hypervisor on two
hosts) serves the API; per round, one server is booted (POST -> ACTIVE),
resized to the next flavor (POST resize -> VERIFY_RESIZE), confirmed
(-> ACTIVE, source claim freed), migrated (-> VERIFY_RESIZE) and
reverted (-> ACTIVE on its host again), each timed by polling the server
every 10 ms. Reported: the median seconds of each step over ``--rounds``
and the resize/boot ratio.

    python benchmarks/resize.py --rounds 10 --json
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks.boot_throughput import (  # noqa: E402
    DEMO_IMAGE,
    _free_port,
    _wait_api,
    _wait_hypervisors,
)

HOSTS = ("fake-1", "fake-2")


def _session(url):
    import requests
    session = requests.Session()
    session.headers.update({"X-Auth-Token": "admin:admin",
                            "Content-Type": "application/json"})
    return session, url + "/v2.1"


def _wait(session, base, uuid, status):
    started = time.monotonic()
    while True:
        server = session.get(f"{base}/servers/{uuid}").json()["server"]
        if server["status"] == status and \
                not server.get("OS-EXT-STS:task_state"):
            return time.monotonic() - started
        if server["status"] == "ERROR" or \
                time.monotonic() - started > 120:
            raise RuntimeError(f"{uuid}: {server['status']}")
        time.sleep(0.01)


def _step(session, base, uuid, body, status):
    started = time.monotonic()
    resp = session.post(f"{base}/servers/{uuid}/action", json=body)
    resp.raise_for_status()
    _wait(session, base, uuid, status)
    return time.monotonic() - started


def one_round(session, base):
    started = time.monotonic()
    resp = session.post(f"{base}/servers", json={"server": {
        "name": "bench", "flavorRef": "1", "imageRef": DEMO_IMAGE}})
    resp.raise_for_status()
    uuid = resp.json()["server"]["id"]
    _wait(session, base, uuid, "ACTIVE")
    times = {"boot": time.monotonic() - started}
    times["resize"] = _step(session, base, uuid,
                            {"resize": {"flavorRef": "2"}}, "VERIFY_RESIZE")
    times["confirm"] = _step(session, base, uuid, {"confirmResize": None},
                             "ACTIVE")
    times["migrate"] = _step(session, base, uuid, {"migrate": None},
                             "VERIFY_RESIZE")
    times["revert"] = _step(session, base, uuid, {"revertResize": None},
                            "ACTIVE")
    session.delete(f"{base}/servers/{uuid}")
    return times


def run(rounds):
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        conf = pathlib.Path(tmp, "nimbus.conf")
        conf.write_text(
            f"[DEFAULT]\nstate_path = {tmp}/state\nhost = bench\n"
            f"[api]\nbind_port = {port}\nauth_strategy = noauth2\n"
            f"[all]\ncompute_hosts = {','.join(HOSTS)}\n"
            "[fake]\npersist = false\n"
            "[network]\ncreate_default_network = false\n")
        binary = os.path.join(os.path.dirname(sys.executable), "nimbus-all")
        with open(os.path.join(tmp, "all.log"), "wb") as log:
            proc = subprocess.Popen([binary, "--config-file", str(conf)],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_api(url, proc)
            _wait_hypervisors(url, len(HOSTS))
            session, base = _session(url)
            one_round(session, base)          # warm up
            results = [one_round(session, base) for _ in range(rounds)]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    summary = {step: round(statistics.median(r[step] for r in results), 3)
               for step in results[0]}
    summary["resize_over_boot"] = round(summary["resize"]
                                        / summary["boot"], 2)
    summary["rounds"] = rounds
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = run(args.rounds)
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
