"""Resize and live migration survive a service killed in their middle
(two real libvirt hosts, see two_hosts.py; the stock ``openstack`` CLI).

Each test restarts one service with ``[fault_injection] pause_at`` naming a step
(nimbus.core.fault_injection), starts the move, waits for the service's ``paused
at <step>`` log line, SIGKILLs it by PID and starts it again without the
pause. Then the move must settle on its own into a consistent state:

* the server has no task state and is ACTIVE, VERIFY_RESIZE, or ERROR
  with a fault; every migration record of it is in a final status;
* its domain exists on exactly one libvirt host, the one the server
  names (and runs there), and the other host keeps none of its files;
* each compute node's claims are what the servers on it need.

The four cases share one deployment and one guest, each starting from
wherever the previous one left the guest:

=====================  =========================  ===========================
move                   killed                     expected end
=====================  =========================  ===========================
resize                 conductor, disks sent      rolled back (conductor's
                                                  sweep after 2 x
                                                  move_step_timeout)
resize                 destination compute,       rolled back (conductor's
                       about to create the guest  step times out)
live migration         conductor, destination     rolled back (the restarted
                       prepared                   conductor, at start)
live migration         source compute, guest      completed or rolled back
                       moving                     (the restarted compute)
=====================  =========================  ===========================
"""

import datetime
import signal
import subprocess

import pytest

from tests.integration.libvirt.conftest import GUEST_DIR
from tests.integration.libvirt.test_cold_moves import (
    SMALL,
    TINY,
    claims,
    flavor_name,
    usage,
)
from tests.integration.libvirt.two_hosts import HOSTS, TwoHostCloud
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real
V = ("--os-compute-api-version", "2.30")
FLAVORS = {f[0]: f for f in (TINY, SMALL)}
#: migration statuses of a move still running (nothing may stay there).
IN_PROGRESS = {"accepted", "queued", "pre-migrating", "preparing",
               "cancelling", "migrating", "post-migrating", "running",
               "confirming", "reverting"}
#: conductor gives a cold-move step this long (and settles an abandoned
#: move after twice this long).
STEP_TIMEOUT = 15


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    subprocess.run(["tools/build-test-guest.sh", GUEST_DIR], check=True)
    workdir = tmp_path_factory.mktemp("movecrash")
    workdir.chmod(0o755)
    # Computes beat through conductor: a beat lost with a killed conductor
    # hangs until rpc_response_timeout, the compute looking down meanwhile
    # (see restart).
    with TwoHostCloud(workdir, GUEST_DIR, "itmx-", extra={
            "DEFAULT": {"rpc_response_timeout": "10"},
            "conductor": {"move_step_timeout": str(STEP_TIMEOUT),
                          "move_recovery_interval": "2"}}) as running:
        running.image = running.register_guest_images()
        name, vcpus, ram, disk = SMALL
        running.openstack("flavor", "create", "--ram", str(ram), "--vcpus",
                          str(vcpus), "--disk", str(disk), name)
        running.sid = running.boot(["mx-vm"], running.image,
                                   host=HOSTS[0])["mx-vm"]
        yield running


def other(host):
    return HOSTS[1] if host == HOSTS[0] else HOSTS[0]


def restart(cloud, name, pause_at=None):
    """Replace service ``name`` by one pausing at ``pause_at`` (or by a
    plain one); wait until it serves. Returns its log's length."""
    if name in cloud.dep.procs:
        cloud.kill(name, signal.SIGTERM)
    since = len(cloud.dep.log(name))
    cloud.restart(name, {"fault_injection": {"pause_at": pause_at}}
                  if pause_at else None)
    cloud.wait_log(name, " started on ", since=since)
    # Computes beat through conductor, and a beat the old conductor took
    # with it hangs until rpc_response_timeout (the compute looks down
    # meanwhile, and the scheduler skips it): wait for a beat of each
    # compute after this start.
    started = datetime.datetime.utcnow()
    conn = cloud.sdk()

    def beat():
        services = [s for s in conn.compute.get("/os-services").json()[
            "services"] if s["host"] in HOSTS]
        return len(services) == 2 and all(
            s["state"] == "up" and s["updated_at"] and
            datetime.datetime.fromisoformat(s["updated_at"]) > started
            for s in services)
    wait_until(beat, 60, interval=0.5, message="a beat of both computes")
    return len(cloud.dep.log(name))


def kill_when_paused(cloud, name, step, since):
    """Wait for ``name`` to pause at ``step``, SIGKILL it by PID, start
    it again unpaused."""
    cloud.wait_log(name, f"paused at {step}", since=since)
    cloud.kill(name)                         # SIGKILL by PID, reaped
    restart(cloud, name)


def settled(cloud, sid, timeout=180):
    """Wait until ``sid`` has no task state and no move in progress;
    return ``(server, migrations)``."""
    conn = cloud.sdk()

    def done():
        server = conn.compute.get(f"/servers/{sid}").json()["server"]
        if server["OS-EXT-STS:task_state"]:
            return None
        migrations = conn.compute.get(
            "/os-migrations", params={"instance_uuid": sid},
            headers={"OpenStack-API-Version": "compute 2.30"}).json()[
                "migrations"]
        return not any(m["status"] in IN_PROGRESS for m in migrations)
    wait_until(done, timeout, interval=1, message=f"{sid} settled")
    return (cloud.openstack_json("server", "show", sid),
            cloud.openstack_json(*V, "server", "migration", "list",
                                 "--server", sid))


def assert_consistent(cloud, sid):
    """The checks of the module doc; returns ``(server, migrations)``."""
    server, migrations = settled(cloud, sid)
    status, host = server["status"], server["OS-EXT-SRV-ATTR:host"]
    assert status in ("ACTIVE", "VERIFY_RESIZE", "ERROR"), server
    if status == "ERROR":
        assert server.get("fault"), server
    # The domain: on exactly one host, the server's, running.
    assert cloud.host_of(sid) == host, (host, cloud.log("conductor"))
    if status != "ERROR":
        assert cloud.hosts[host].virsh(
            "domstate", f"{cloud.prefix}{sid}").strip() == "running"
    # No leftovers on the other host (its set-aside copy only while a
    # resize awaits its confirmation).
    there = cloud.hosts[other(host)].instances
    assert not (there / sid).exists(), list(there.iterdir())
    if status != "VERIFY_RESIZE":
        assert not (there / f"{sid}_resize").exists()
        assert not (cloud.hosts[host].instances / f"{sid}_resize").exists()
    # The claims: what the server needs where it is (and, awaiting
    # confirmation, its old flavor on the source).
    by_host = {host: FLAVORS[flavor_name(server)]}
    if status == "VERIFY_RESIZE":
        by_host[other(host)] = TINY       # the flavor every test starts with
    expected = claims(*(by_host.get(h) for h in HOSTS))
    wait_until(lambda: usage(cloud) == expected, 30, interval=1,
               message=f"claims {expected} (now {usage(cloud)})")
    return server, migrations


def latest(migrations):
    return max(migrations, key=lambda m: m["Id"])


def last_action(cloud, sid):
    """``(action, message)`` of the server's newest instance action."""
    actions = cloud.sdk().compute.get(
        f"/servers/{sid}/os-instance-actions").json()["instanceActions"]
    newest = max(actions, key=lambda a: a["start_time"])
    return newest["action"], newest["message"]


def test_resize_conductor_killed_after_the_disks_were_sent(cloud):
    sid = cloud.sid
    src = cloud.host_of(sid)
    since = restart(cloud, "conductor", pause_at="resize.sent")
    cloud.openstack("server", "resize", "--flavor", SMALL[0], sid)
    cloud.wait_log("conductor", "paused at resize.sent", since=since)
    # The middle: the guest stopped and set aside on the source.
    assert cloud.hosts[src].domains(cloud.prefix) == []
    assert (cloud.hosts[src].instances / f"{sid}_resize").exists()
    kill_when_paused(cloud, "conductor", "resize.sent", since)
    server, migrations = assert_consistent(cloud, sid)
    # Rolled back: the guest runs on its source with its old flavor.
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"],
            flavor_name(server)) == ("ACTIVE", src, TINY[0])
    assert latest(migrations)["Status"] == "error"
    # The user's request ended, in error (not left open for good).
    assert last_action(cloud, sid) == ("resize", "Error")


def test_resize_destination_compute_killed_while_finishing(cloud):
    sid = cloud.sid
    src = cloud.host_of(sid)
    dst = other(src)
    since = restart(cloud, dst, pause_at="resize.finish")
    cloud.openstack("server", "resize", "--flavor", SMALL[0], sid)
    kill_when_paused(cloud, dst, "resize.finish", since)
    server, migrations = assert_consistent(cloud, sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"],
            flavor_name(server)) == ("ACTIVE", src, TINY[0])
    assert latest(migrations)["Status"] == "error"
    assert last_action(cloud, sid) == ("resize", "Error")


def test_live_migration_conductor_killed_when_destination_prepared(cloud):
    sid = cloud.sid
    src = cloud.host_of(sid)
    dst = other(src)
    since = restart(cloud, "conductor", pause_at="live.prepared")
    cloud.openstack(*V, "server", "migrate", "--live-migration", "--host",
                    dst, sid)
    cloud.wait_log("conductor", "paused at live.prepared", since=since)
    assert (cloud.hosts[dst].instances / sid).exists()  # prepared
    kill_when_paused(cloud, "conductor", "live.prepared", since)
    server, migrations = assert_consistent(cloud, sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", src)
    assert latest(migrations)["Status"] == "error"
    assert last_action(cloud, sid) == ("live-migration", "Error")


def test_live_migration_source_compute_killed_while_moving(cloud):
    sid = cloud.sid
    src = cloud.host_of(sid)
    dst = other(src)
    since = restart(cloud, src, pause_at="live.running")
    cloud.openstack(*V, "server", "migrate", "--live-migration", "--host",
                    dst, sid)
    kill_when_paused(cloud, src, "live.running", since)
    server, migrations = assert_consistent(cloud, sid)
    assert server["status"] == "ACTIVE", server
    # Either end is consistent; the record says which one it was.
    end = latest(migrations)["Status"]
    assert (server["OS-EXT-SRV-ATTR:host"], end) in (
        (dst, "completed"), (src, "error")), (server, migrations)
    print(f"\nsource compute killed mid-migration: {end}")
