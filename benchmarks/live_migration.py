"""Live-migration wall time: nimbus against libvirt's own migration
between the same two daemons, in the same run.

The two-host harness of the integration tests
(``tests/integration/libvirt/two_hosts.py``: two private libvirtd
daemons, one nimbus compute each, conductor/scheduler/API as processes
over RabbitMQ and PostgreSQL) boots one 128 MiB TCG test guest, then
``--runs`` times, alternating directions:

* ``nimbus``: from ``POST /servers/{id}/action`` ``os-migrateLive``
  (2.30, ``block_migration: "auto"``, the scheduler's choice of host)
  until the server has no task state any more and names the other host
  (checks on both hosts, the destination's preparation, the block copy
  of the disk overlay and memory, the records), polled every 50 ms;
* ``raw``: ``virsh migrate --live --p2p --copy-storage-inc`` of the same
  guest between the same daemons (the destination prepared the same
  way beforehand, not timed).

Medians (with min and max) and their ratio are printed.

    .venv/bin/python benchmarks/live_migration.py [--runs 5] [--json]

Needs root, libvirtd, RabbitMQ, PostgreSQL and the test guest
(``tools/build-test-guest.sh``; NIMBUS_GUEST_DIR or .cache/guest). It
removes every daemon, domain, file and process it made.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.integration.libvirt.conftest import GUEST_DIR  # noqa: E402
from tests.integration.libvirt.test_two_hosts import (  # noqa: E402
    raw_live_migrate,
)
from tests.integration.libvirt.two_hosts import (  # noqa: E402
    HOSTS,
    TwoHostCloud,
)

V = {"OpenStack-API-Version": "compute 2.30"}


def nimbus_migrate(cloud, conn, sid, timeout=300):
    before = cloud.host_of(sid)
    started = time.monotonic()
    resp = conn.compute.post(f"/servers/{sid}/action", headers=V, json={
        "os-migrateLive": {"host": None, "block_migration": "auto"}})
    assert resp.status_code == 202, resp.text
    while time.monotonic() - started < timeout:
        server = conn.compute.get(f"/servers/{sid}", headers=V).json()[
            "server"]
        if server["OS-EXT-STS:task_state"] is None:
            took = time.monotonic() - started
            assert server["OS-EXT-SRV-ATTR:host"] != before, server
            return took
        time.sleep(0.05)
    raise AssertionError("the live migration did not end")


def _summary(values):
    return {"median": round(statistics.median(values), 2),
            "min": round(min(values), 2), "max": round(max(values), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="nimbus-bench-lm-"))
    workdir.chmod(0o755)
    times = {"nimbus": [], "raw": []}
    with TwoHostCloud(workdir, GUEST_DIR, "benchlm-") as cloud:
        image = cloud.register_guest_images()
        sid = cloud.boot(["bench-lm"], image, host=HOSTS[0])["bench-lm"]
        conn = cloud.sdk()
        for _run in range(args.runs):
            times["nimbus"].append(nimbus_migrate(cloud, conn, sid))
            here = cloud.host_of(sid)
            there = HOSTS[1] if here == HOSTS[0] else HOSTS[0]
            times["raw"].append(raw_live_migrate(
                cloud, sid, cloud.hosts[here], cloud.hosts[there]))
            # Back where nimbus thinks it is.
            raw_live_migrate(cloud, sid, cloud.hosts[there],
                             cloud.hosts[here])
        cloud.openstack("server", "delete", "--wait", sid)
    result = {name: _summary(values) for name, values in times.items()}
    result["ratio"] = round(result["nimbus"]["median"]
                            / result["raw"]["median"], 2)
    result["runs"] = args.runs
    if args.json:
        print(json.dumps(result))
        return
    for name in ("nimbus", "raw"):
        r = result[name]
        print(f"{name:7s} median {r['median']:.2f} s (min {r['min']:.2f}, "
              f"max {r['max']:.2f})")
    print(f"ratio   {result['ratio']:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
