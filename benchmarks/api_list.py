"""GET /servers/detail latency and SQL statements per request.

For each N in ``--sizes`` (default 100, 1000, 10000) this loads N active
servers into a fresh SQLite database (straight through the database API,
to keep set-up fast), starts the API alone (cheroot, the ``nimbus``
auth strategy with a real Fernet token) on a free port, freezes what it
holds out of the garbage collector as the daemon does once started, and
times ``--requests`` sequential ``GET /v2.1/servers/detail`` calls. The
page is the API's default (``[api] max_limit`` = 1000 servers). SQL
statements are counted with a SQLAlchemy ``before_cursor_execute``
listener over the timed requests only. ``cpu_p50_ms`` is the median
CPU time of the process per request (the API and the client share the
process; nothing else runs in it): unlike the latency it hardly moves
when other work shares the machine, so two installations measured on a
busy machine compare by it.

    python benchmarks/api_list.py --json
"""

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid

import requests
from sqlalchemy import event

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

PASSWORD = "bench-pass"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(state):
    from nimbus.core import bootstrap
    conf_file = os.path.join(state, "nimbus.conf")
    with open(conf_file, "w") as f:
        f.write(f"[DEFAULT]\nstate_path = {state}\n"
                f"[api]\nbind_port = {free_port()}\nauth_strategy = nimbus\n"
                f"[identity]\nbcrypt_rounds = 4\n"
                f"admin_password = {PASSWORD}\n")
    return bootstrap.parse_config(["--config-file", conf_file],
                                  "api-list-bench", default_config_files=[],
                                  transport_url="fake://")


def load_servers(ctx, project_id, count, batch=2000):
    from nimbus.core.db import api as db_api
    for start in range(0, count, batch):
        rows = [{"uuid": str(uuid.uuid4()), "display_name": f"vm-{i}",
                 "project_id": project_id, "user_id": "bench",
                 "image_ref": "a0d1c0de-0000-4000-8000-000000000001",
                 "flavor_id": "1", "flavor_name": "m1.tiny", "vcpus": 1,
                 "memory_mb": 512, "root_gb": 1, "vm_state": "active",
                 "power_state": 1, "host": "fake-1", "node": "fake-1",
                 "metadata_json": '{"role": "web"}'}
                for i in range(start, min(start + batch, count))]
        db_api.instances.create_many(ctx, rows)


def token(url):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "admin", "domain": {"name": "Default"},
                 "password": PASSWORD}}},
        "scope": {"project": {"name": "admin",
                              "domain": {"name": "Default"}}}}}
    resp = requests.post(url + "/identity/v3/auth/tokens", json=body,
                         timeout=30)
    resp.raise_for_status()
    return resp.headers["X-Subject-Token"], \
        resp.json()["token"]["project"]["id"]


def measure(size, count):
    from nimbus.cli.daemons import api
    from nimbus.core import context, rpc, service
    from nimbus.core.db import engine, migration
    from nimbus.core.db import setup as db_setup
    from nimbus.core.identity import manage
    with tempfile.TemporaryDirectory() as state:
        conf = configure(state)
        db = db_setup.use_database(conf)
        migration.sync()
        ctx = context.get_admin_context()
        manage.IdentityAdmin(conf, db).bootstrap(ctx, PASSWORD)
        server = api.build(conf, db)
        server.start()
        service.freeze_startup_objects()  # as the daemon does, started
        url = f"http://127.0.0.1:{server.port}"
        try:
            auth, project_id = token(url)
            load_servers(ctx, project_id, size)
            result = _time_requests(url, auth, count, engine.get_engine())
        finally:
            server.stop()
            rpc.cleanup()
            engine.reset()
            conf.reset()
    result["servers"] = size
    return result


def _time_requests(url, auth, count, sql_engine):
    session = requests.Session()
    headers = {"X-Auth-Token": auth}
    session.get(url + "/v2.1/servers/detail", headers=headers, timeout=60)
    statements = []
    event.listen(sql_engine, "before_cursor_execute",
                 lambda *a, **k: statements.append(1))
    times, cpu, returned = [], [], 0
    for _ in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        resp = session.get(url + "/v2.1/servers/detail", headers=headers,
                           timeout=60)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        resp.raise_for_status()
        returned = len(resp.json()["servers"])
    times.sort()
    return {"p50_ms": round(statistics.median(times) * 1000, 1),
            "p99_ms": round(times[min(len(times) - 1,
                                      int(len(times) * 0.99))] * 1000, 1),
            "cpu_p50_ms": round(statistics.median(cpu) * 1000, 1),
            "sql_statements": round(len(statements) / count, 2),
            "returned": returned, "requests": count}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [measure(int(n), args.requests)
               for n in args.sizes.split(",")]
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"{r['servers']:>6} servers: p50 {r['p50_ms']} ms, p99 "
              f"{r['p99_ms']} ms, CPU p50 {r['cpu_p50_ms']} ms, "
              f"{r['sql_statements']} SQL/request "
              f"({r['returned']} per page)")


if __name__ == "__main__":
    main()
