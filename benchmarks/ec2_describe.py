"""EC2 DescribeInstances latency against the OpenStack dialect's
GET /servers/detail on the same data, and RunInstances accepted per
second against POST /servers, in the same run.

For each N in ``--sizes`` (default 100, 1000, 10000) this starts an
embedded cloud (nimbus-all: fake hypervisor on two hosts, SQLite, the
``noauth2`` strategy for the OpenStack API and EC2 credentials made
through the credential service API), loads N active servers straight
through the database API (as ``api_list.py`` does; on a host with no
compute service, so nothing syncs their power state), and then, in
``--runs`` rounds, times sequential requests of each kind in turn:

* ``ec2-all``: DescribeInstances without MaxResults (every instance in
  one answer, as AWS gives it);
* ``ec2-page``: DescribeInstances with ``MaxResults=1000`` (one page);
* ``ec2-walk``: every page of ``MaxResults=1000``, following
  ``NextToken`` (N/1000 requests, timed as one);
* ``os-page``: ``GET /v2.1/servers/detail`` (the API's default page,
  ``[api] max_limit`` = 1000 servers).

Requests are signed with botocore's SigV4 signer and sent with
``requests``; the body is read but not parsed, so the client's share of
the CPU time is small. ``cpu_ms`` is this process's CPU time (user +
system: the API threads and the client) per request. Each round gives a
p50 and p99; the figures are the medians over rounds.

Then, on the largest cloud, ``--boots`` RunInstances (MinCount=1) and as
many ``POST /servers`` are sent back to back (a fresh project without
quota) and timed until each is accepted: accepted per second, median over
the rounds. The fake hypervisor builds them in the background meanwhile.

    python benchmarks/ec2_describe.py --json out.json
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.conftest import free_port, write_conf  # noqa: E402

PROJECT = "bench"
IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def start_cloud(state):
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.core import bootstrap
    conf_file = write_conf(pathlib.Path(state) / "nimbus.conf", {
        "DEFAULT": {"state_path": os.path.join(state, "state"),
                    "host": "bench-host", "report_interval": 5,
                    "service_down_time": 60},
        "api": {"bind_port": free_port(), "auth_strategy": "noauth2",
                "enabled_dialects": "openstack,identity,image,network,"
                                    "volume,ec2"},
        "all": {"compute_hosts": "fake-1,fake-2"},
        "fake": {"persist": "false"},
        "network": {"metadata_port": free_port()},
        "ec2": {"bind_port": free_port()},
        "quota": {"instances": -1, "cores": -1, "ram": -1},
    })
    conf = bootstrap.parse_config(["--config-file", str(conf_file)],
                                  "ec2-bench", default_config_files=[],
                                  transport_url="fake://")
    started = all_daemon.start_all(conf)
    return conf, started


def stop_cloud(conf, started):
    from nimbus.core import rpc
    from nimbus.core.db import engine
    for svc in started:
        svc.stop()
    rpc.cleanup()
    engine.reset()
    conf.reset()


def load_servers(ctx, count, batch=2000):
    from nimbus.core.db import api as db_api
    for start in range(0, count, batch):
        rows = [{"uuid": str(uuid.uuid4()), "display_name": f"vm-{i}",
                 "project_id": PROJECT, "user_id": "bench",
                 "image_ref": IMAGE, "flavor_id": "1",
                 "flavor_name": "m1.tiny", "vcpus": 1, "memory_mb": 512,
                 "root_gb": 1, "vm_state": "active", "power_state": 1,
                 "host": "seeded-host", "node": "seeded-host",
                 "reservation_id": f"r-{i // 2:08x}", "launch_index": i % 2,
                 "metadata_json": '{"role": "web"}'}
                for i in range(start, min(start + batch, count))]
        db_api.instances.create_many(ctx, rows)


class Ec2Client:
    """Signs EC2 Query requests with botocore's SigV4 signer."""

    def __init__(self, url, access, secret):
        from botocore.credentials import Credentials
        self.url = url
        self.creds = Credentials(access, secret)
        self.session = requests.Session()

    def call(self, action, **params):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        body = urllib.parse.urlencode(
            dict(Action=action, Version="2016-11-15", **params))
        request = AWSRequest(method="POST", url=self.url + "/", data=body,
                             headers={"Content-Type": "application/"
                                      "x-www-form-urlencoded; "
                                      "charset=utf-8"})
        SigV4Auth(self.creds, "ec2", "RegionOne").add_auth(request)
        prepared = request.prepare()
        resp = self.session.post(self.url + "/", data=prepared.body,
                                 headers=dict(prepared.headers), timeout=600)
        if resp.status_code != 200:
            raise RuntimeError(f"{action}: {resp.status_code} {resp.text}")
        return resp.content

    def walk(self, expected):
        """Every page of MaxResults=1000; check it saw ``expected``."""
        token, seen = None, 0
        while True:
            params = {"MaxResults": "1000"}
            if token:
                params["NextToken"] = token
            body = self.call("DescribeInstances", **params)
            seen += body.count(b"<instanceId>")
            found = re.search(rb"<nextToken>([^<]+)</nextToken>", body)
            if found is None:
                break
            token = found.group(1).decode()
        if seen != expected:
            raise RuntimeError(f"walked {seen} instances of {expected}")


def timed(fn, count):
    """``(wall seconds list, cpu seconds per call)``."""
    times = []
    cpu0 = time.process_time()
    for _ in range(count):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times, (time.process_time() - cpu0) / count


def p(times, q):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def measure_lists(size, runs, requests_per_round):
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    from nimbus.core.ec2 import credentials
    with tempfile.TemporaryDirectory() as state:
        conf, started = start_cloud(state)
        try:
            ctx = context.get_admin_context()
            cred = credentials.CredentialAPI(conf, db_api).create(
                ctx, "bench", PROJECT)
            os_url = f"http://127.0.0.1:{started[0].port}"
            from nimbus.cli.daemons import all as all_daemon
            ec2 = Ec2Client(
                f"http://127.0.0.1:{all_daemon.ec2_port(started[0])}",
                cred["access"], cred["secret"])
            load_servers(ctx, size)
            session = requests.Session()
            headers = {"X-Auth-Token": f"bench:{PROJECT}"}

            def os_page():
                resp = session.get(os_url + "/v2.1/servers/detail",
                                   headers=headers, timeout=600)
                resp.raise_for_status()
                return resp.content
            kinds = {
                "ec2-all": lambda: ec2.call("DescribeInstances"),
                "ec2-page": lambda: ec2.call("DescribeInstances",
                                             MaxResults="1000"),
                "ec2-walk": lambda: ec2.walk(size),
                "os-page": os_page,
            }
            for fn in kinds.values():
                fn()  # warm up: EC2 ids made, caches filled
            rounds = {k: [] for k in kinds}
            for _ in range(runs):
                for kind, fn in kinds.items():
                    times, cpu = timed(fn, requests_per_round)
                    rounds[kind].append((statistics.median(times),
                                         p(times, 0.99), cpu))
            result = {"servers": size, "requests_per_round":
                      requests_per_round, "runs": runs}
            for kind, values in rounds.items():
                result[kind] = {
                    "p50_ms": round(statistics.median(
                        v[0] for v in values) * 1000, 1),
                    "p99_ms": round(statistics.median(
                        v[1] for v in values) * 1000, 1),
                    "cpu_ms": round(statistics.median(
                        v[2] for v in values) * 1000, 1)}
            return result
        finally:
            stop_cloud(conf, started)


def measure_boots(runs, boots):
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    from nimbus.core.ec2 import credentials
    with tempfile.TemporaryDirectory() as state:
        conf, started = start_cloud(state)
        try:
            ctx = context.get_admin_context()
            cred = credentials.CredentialAPI(conf, db_api).create(
                ctx, "runner", "runner")
            from nimbus.cli.daemons import all as all_daemon
            ec2 = Ec2Client(
                f"http://127.0.0.1:{all_daemon.ec2_port(started[0])}",
                cred["access"], cred["secret"])
            ami = _demo_ami(ec2)
            os_url = f"http://127.0.0.1:{started[0].port}"
            session = requests.Session()
            headers = {"X-Auth-Token": "runner:runner"}

            def os_boot():
                resp = session.post(os_url + "/v2.1/servers", json={
                    "server": {"name": "b", "imageRef": IMAGE,
                               "flavorRef": "1"}},
                    headers=headers, timeout=120)
                resp.raise_for_status()

            kinds = {
                "ec2-run": lambda: ec2.call(
                    "RunInstances", ImageId=ami, MinCount="1",
                    MaxCount="1", InstanceType="m1.tiny"),
                "os-create": os_boot,
            }
            rates = {k: [] for k in kinds}
            cpus = {k: [] for k in kinds}
            for _ in range(runs):
                for kind, fn in kinds.items():
                    times, cpu = timed(fn, boots)
                    rates[kind].append(boots / sum(times))
                    cpus[kind].append(cpu)
            return {k: {"accepted_per_s": round(statistics.median(v), 1),
                        "cpu_ms": round(statistics.median(cpus[k]) * 1000,
                                        1)}
                    for k, v in rates.items()} | {"boots": boots,
                                                  "runs": runs}
        finally:
            stop_cloud(conf, started)


def _demo_ami(ec2):
    body = ec2.call("DescribeImages", **{"Filter.1.Name": "name",
                                         "Filter.1.Value.1": "demo"})
    return re.search(rb"<imageId>(ami-[0-9a-f]+)</imageId>",
                     body).group(1).decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20,
                        help="requests per round (a fifth of it, at least "
                             "3, at 10000 servers and more)")
    parser.add_argument("--boots", type=int, default=100)
    parser.add_argument("--json", help="write the results there too")
    args = parser.parse_args()
    results = {"lists": [], "boots": None}
    for size in (int(n) for n in args.sizes.split(",")):
        count = args.requests if size < 10000 else max(3,
                                                       args.requests // 5)
        result = measure_lists(size, args.runs, count)
        results["lists"].append(result)
        print(json.dumps(result), flush=True)
    results["boots"] = measure_boots(args.runs, args.boots)
    print(json.dumps(results["boots"]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
