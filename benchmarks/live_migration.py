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
  way beforehand, not timed), ``--runs`` times after nimbus's, back and
  forth.

Medians (with min and max) and their ratio are printed. Before them, in
the same cloud, ``--resizes`` times: ``resize`` (POST ``resize`` to the other of
two flavors with the same disk, until VERIFY_RESIZE with no task state:
the guest's clean shutdown, the disk copy to the other host, the new
guest's start; each once the guest has booted) and ``confirm`` (POST ``confirmResize`` until ACTIVE: the
source's set-aside copy dropped, its claim released).

    .venv/bin/python benchmarks/live_migration.py [--runs 5] [--resizes 3]
        [--json] [--out result.json]

Needs root, libvirtd, RabbitMQ, PostgreSQL and the test guest
(``tools/build-test-guest.sh``; NIMBUS_GUEST_DIR or .cache/guest). It
removes every daemon, domain, file and process it made.
"""

import argparse
import json
import os
import shutil
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


def _wait_status(conn, sid, status, started, timeout=300):
    while time.monotonic() - started < timeout:
        server = conn.compute.get(f"/servers/{sid}", headers=V).json()[
            "server"]
        assert server["status"] != "ERROR", server
        if server["status"] == status and \
                server["OS-EXT-STS:task_state"] is None:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{sid} did not reach {status}")


def nimbus_resize(conn, sid, flavor):
    """Seconds of ``resize`` to ``flavor`` (until VERIFY_RESIZE) and of
    its ``confirmResize`` (until ACTIVE)."""
    started = time.monotonic()
    resp = conn.compute.post(f"/servers/{sid}/action", headers=V,
                             json={"resize": {"flavorRef": flavor}})
    assert resp.status_code == 202, resp.text
    resized = _wait_status(conn, sid, "VERIFY_RESIZE", started)
    started = time.monotonic()
    resp = conn.compute.post(f"/servers/{sid}/action", headers=V,
                             json={"confirmResize": None})
    assert resp.status_code in (202, 204), resp.text
    return resized, _wait_status(conn, sid, "ACTIVE", started)


def _summary(values):
    return {"median": round(statistics.median(values), 2),
            "min": round(min(values), 2), "max": round(max(values), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--resizes", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", help="also write the result (JSON) here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="nimbus-bench-lm-"))
    workdir.chmod(0o755)
    try:
        times = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(args, times)


def run(args, workdir):
    """Boot the guest, migrate and resize it; returns the wall times."""
    times = {"nimbus": [], "raw": [], "resize": [], "confirm": []}
    with TwoHostCloud(workdir, GUEST_DIR, "benchlm-") as cloud:
        image = cloud.register_guest_images()
        sid = cloud.boot(["bench-lm"], image, host=HOSTS[0])["bench-lm"]
        conn = cloud.sdk()
        try:
            _measure(args, cloud, conn, sid, times)
        except BaseException:
            # What the services said, before the cloud (and its logs) go.
            print(json.dumps(cloud.openstack_json("server", "show", sid),
                             indent=1), file=sys.stderr)
            for name in ("conductor", *HOSTS):
                print(f"--- {name}:\n{cloud.notable_log(name)}",
                      file=sys.stderr)
            raise
        cloud.openstack("server", "delete", "--wait", sid)
    return times


def _measure(args, cloud, conn, sid, times):
    """The timed moves of the guest ``sid``, into ``times``: resizes
    first, then nimbus's live migrations, then libvirt's (last: the
    guest moving behind nimbus's back makes its power sync see it vanish
    from its host and put the server in ERROR)."""
    # Two flavors with the same disk, so the guest can go back and forth
    # (a disk never shrinks).
    cloud.openstack("flavor", "create", "--ram", "192", "--vcpus", "2",
                    "--disk", "1", "2h.wide")
    flavors = [f["ID"] for f in sorted(
        cloud.openstack_json("flavor", "list", "--all"),
        key=lambda f: f["Name"]) if f["Name"] in ("2h.tiny", "2h.wide")]
    for i in range(args.resizes):
        resized, confirmed = nimbus_resize(conn, sid, flavors[(i + 1) % 2])
        times["resize"].append(resized)
        times["confirm"].append(confirmed)
        # The moved guest started again (a fresh console): let it finish
        # booting, or the next clean shutdown waits for it.
        cloud.wait_console(sid, "NIMBUS-DEV /dev/vda", timeout=240)
    for _run in range(args.runs):
        times["nimbus"].append(nimbus_migrate(cloud, conn, sid))
    here = cloud.host_of(sid)
    there = HOSTS[1] if here == HOSTS[0] else HOSTS[0]
    for _run in range(args.runs):
        times["raw"].append(raw_live_migrate(
            cloud, sid, cloud.hosts[here], cloud.hosts[there]))
        here, there = there, here
    if args.runs % 2:
        # Back where nimbus thinks it is, for the delete.
        raw_live_migrate(cloud, sid, cloud.hosts[here], cloud.hosts[there])


def report(args, times):
    result = {name: _summary(values) for name, values in times.items()
              if values}
    result["ratio"] = round(result["nimbus"]["median"]
                            / result["raw"]["median"], 2)
    result["runs"] = args.runs
    result["resizes"] = args.resizes
    result["times"] = {name: [round(v, 2) for v in values]
                       for name, values in times.items()}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result))
        return
    for name in ("nimbus", "raw", "resize", "confirm"):
        if name not in result:
            continue
        r = result[name]
        print(f"{name:7s} median {r['median']:.2f} s (min {r['min']:.2f}, "
              f"max {r['max']:.2f})")
    print(f"ratio   {result['ratio']:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
