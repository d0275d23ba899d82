"""Resize and cold migration between two real libvirt hosts (two private
libvirtd daemons, one nimbus compute each; see two_hosts.py) through the
stock ``openstack`` client.

One TCG guest boots on host A with a 1-vCPU/128 MiB/1 GB flavor and
writes its root-disk marker. ``server resize`` to a bigger flavor moves
it to B (VERIFY_RESIZE; B's domain has the new vCPUs and RAM, the guest
reads its marker back from the grown disk), confirm frees A; a second
resize back towards A is reverted (back on B, old flavor); ``server
migrate`` moves it to A with its flavor. The claims on both hosts are
checked after each step (``os-hypervisors/detail``)."""

import contextlib
import re
import subprocess
import time

import pytest

from tests.integration.libvirt.conftest import GUEST_DIR
from tests.integration.libvirt.two_hosts import HOSTS, TwoHostCloud
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real
A, B = HOSTS
TINY = ("2h.tiny", 1, 128, 1)        # the harness's boot flavor
SMALL = ("2h.small", 2, 192, 2)
MEDIUM = ("2h.medium", 3, 256, 3)
GiB = 1024 ** 3


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    subprocess.run(["tools/build-test-guest.sh", GUEST_DIR], check=True)
    workdir = tmp_path_factory.mktemp("coldmove")
    workdir.chmod(0o755)
    # Resizes may stay on their host: the tests pick the target by
    # disabling the other compute service (see on_host).
    with TwoHostCloud(workdir, GUEST_DIR, "itcm-", extra={
            "compute": {"allow_resize_to_same_host": "true"}}) as running:
        running.image = running.register_guest_images()
        for name, vcpus, ram, disk in (SMALL, MEDIUM):
            running.openstack("flavor", "create", "--ram", str(ram),
                              "--vcpus", str(vcpus), "--disk", str(disk),
                              name)
        yield running


@contextlib.contextmanager
def on_host(cloud, host):
    """Only ``host``'s compute service is enabled meanwhile: the
    scheduler must place a move there."""
    others = [h for h in HOSTS if h != host]
    for other in others:
        cloud.set_compute(other, False)
    try:
        yield
    finally:
        for other in others:
            cloud.set_compute(other, True)


def usage(cloud):
    """``{host: (vcpus_used, memory_mb_used, local_gb_used)}``."""
    hyps = cloud.sdk().compute.get("/os-hypervisors/detail").json()[
        "hypervisors"]
    return {h["service"]["host"]: (h["vcpus_used"], h["memory_mb_used"],
                                   h["local_gb_used"]) for h in hyps}


def wait_usage(cloud, expected):
    """Wait until the hosts' claims are ``expected`` (a host's claims
    may be released by conductor just after the server's status)."""
    wait_until(lambda: usage(cloud) == expected, 30, interval=1,
               message=f"claims {expected} (now {usage(cloud)})")


def claims(*flavors_by_host):
    out = {}
    for host, flavor in zip(HOSTS, flavors_by_host, strict=True):
        out[host] = (flavor[1], flavor[2], flavor[3]) if flavor \
            else (0, 0, 0)
    return out


def wait_status(cloud, sid, status):
    return cloud.wait_status(sid, status)


def domain_size(cloud, host, sid):
    """(vCPUs, memory KiB) of ``sid``'s domain on ``host``."""
    xml = cloud.hosts[host].virsh("dumpxml", f"{cloud.prefix}{sid}")
    vcpus = int(re.search(r"<vcpu[^>]*>(\d+)</vcpu>", xml).group(1))
    mem = int(re.search(r"<memory[^>]*>(\d+)</memory>", xml).group(1))
    return vcpus, mem


def flavor_name(server):
    """The flavor name of ``openstack server show`` (a string before
    2.47, an object after)."""
    flavor = server["flavor"]
    return flavor["original_name"] if isinstance(flavor, dict) \
        else flavor.split()[0]


def root_size_line(cloud, sid, gb):
    """Wait until the guest sees its root disk with ``gb`` GB (in
    512-byte sectors on its console)."""
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vda",
                       f"size={gb * GiB // 512}", timeout=240)


def timed(times, step, cloud, sid, status, *args):
    """Run ``openstack *args``, wait for ``sid``'s ``status``, note the
    wall time as ``step``; return the server."""
    started = time.monotonic()
    cloud.openstack(*args)
    server = wait_status(cloud, sid, status)
    times[step] = time.monotonic() - started
    return server


def test_resize_confirm_revert_and_cold_migrate(cloud):
    times = {}
    sid = cloud.boot(["cm-vm"], cloud.image, host=A)["cm-vm"]
    a, b = (cloud.hosts[h] for h in HOSTS)
    wrote = cloud.wait_console(sid, "NIMBUS-ROOT-WROTE dev=/dev/vda")
    mark = wrote.split("mark=")[1]
    wait_usage(cloud, claims(TINY, None))

    # Resize: A -> B with the bigger flavor, VERIFY_RESIZE.
    with on_host(cloud, B):
        server = timed(times, "resize", cloud, sid, "VERIFY_RESIZE",
                       "server", "resize", "--flavor", SMALL[0], "--wait",
                       sid)
    assert server["OS-EXT-SRV-ATTR:host"] == B
    assert cloud.host_of(sid) == B
    assert domain_size(cloud, B, sid) == (SMALL[1], SMALL[2] * 1024)
    assert (a.instances / f"{sid}_resize" / "disk").exists()
    assert not (a.instances / sid).exists()
    # Both hosts hold a claim until the resize is confirmed.
    wait_usage(cloud, claims(TINY, SMALL))
    cloud.wait_console(sid, "NIMBUS-ROOT-READ dev=/dev/vda", mark,
                       timeout=240)
    root_size_line(cloud, sid, SMALL[3])

    server = timed(times, "confirm", cloud, sid, "ACTIVE", "server",
                   "resize", "confirm", sid)
    assert flavor_name(server) == SMALL[0]
    wait_until(lambda: not (a.instances / f"{sid}_resize").exists(), 30,
               interval=0.5, message="the set-aside copy removed")
    wait_usage(cloud, claims(None, SMALL))

    # A second resize (B -> A), reverted: back on B with SMALL.
    with on_host(cloud, A):
        cloud.openstack("server", "resize", "--flavor", MEDIUM[0],
                        "--wait", sid)
    server = wait_status(cloud, sid, "VERIFY_RESIZE")
    assert server["OS-EXT-SRV-ATTR:host"] == A
    assert domain_size(cloud, A, sid) == (MEDIUM[1], MEDIUM[2] * 1024)
    wait_usage(cloud, claims(MEDIUM, SMALL))
    server = timed(times, "revert", cloud, sid, "ACTIVE", "server",
                   "resize", "revert", sid)
    assert server["OS-EXT-SRV-ATTR:host"] == B
    assert flavor_name(server) == SMALL[0]
    assert cloud.host_of(sid) == B
    assert domain_size(cloud, B, sid) == (SMALL[1], SMALL[2] * 1024)
    assert not (b.instances / f"{sid}_resize").exists()
    assert not (a.instances / sid).exists()
    wait_usage(cloud, claims(None, SMALL))
    cloud.wait_console(sid, "NIMBUS-ROOT-READ dev=/dev/vda", mark,
                       timeout=240)

    # Cold migration: B -> A with the same flavor, then confirmed.
    server = timed(times, "migrate", cloud, sid, "VERIFY_RESIZE", "server",
                   "migrate", "--wait", sid)
    assert server["OS-EXT-SRV-ATTR:host"] == A
    assert domain_size(cloud, A, sid) == (SMALL[1], SMALL[2] * 1024)
    cloud.openstack("server", "resize", "confirm", sid)
    wait_status(cloud, sid, "ACTIVE")
    assert cloud.host_of(sid) == A
    wait_until(lambda: not (b.instances / f"{sid}_resize").exists(), 30,
               interval=0.5, message="B's set-aside copy removed")
    assert not (b.instances / sid).exists()
    wait_usage(cloud, claims(SMALL, None))
    cloud.wait_console(sid, "NIMBUS-ROOT-READ dev=/dev/vda", mark,
                       timeout=240)
    root_size_line(cloud, sid, SMALL[3])
    migrations = cloud.openstack_json(
        "--os-compute-api-version", "2.30", "server", "migration", "list",
        "--server", sid)
    assert sorted((m["Status"], m["Type"]) for m in migrations) == sorted([
        ("confirmed", "resize"), ("reverted", "resize"),
        ("confirmed", "migration")])
    print("\nlibvirt cold moves (openstack CLI --wait, seconds): " +
          ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    for host in HOSTS:
        for line in cloud.log(host).splitlines():
            if "stopped in" in line or "Received the disks" in line:
                print(host, line.split("] ")[-1])
    cloud.openstack("server", "delete", "--wait", sid)
    wait_usage(cloud, claims(None, None))
    assert not a.domains(cloud.prefix) and not b.domains(cloud.prefix)


def test_resize_on_the_same_host_revert_then_confirm(cloud):
    sid = cloud.boot(["cm-same"], cloud.image, host=A)["cm-same"]
    a = cloud.hosts[A]
    mark = cloud.wait_console(
        sid, "NIMBUS-ROOT-WROTE dev=/dev/vda").split("mark=")[1]
    with on_host(cloud, A):
        cloud.openstack("server", "resize", "--flavor", SMALL[0], "--wait",
                        sid)
        server = wait_status(cloud, sid, "VERIFY_RESIZE")
        assert server["OS-EXT-SRV-ATTR:host"] == A
        assert domain_size(cloud, A, sid) == (SMALL[1], SMALL[2] * 1024)
        assert (a.instances / f"{sid}_resize" / "disk").exists()
        assert (a.instances / sid / "disk").exists()
        # The same host holds both flavors' claims until the end.
        wait_usage(cloud, {A: (TINY[1] + SMALL[1], TINY[2] + SMALL[2],
                               TINY[3] + SMALL[3]), B: (0, 0, 0)})
        root_size_line(cloud, sid, SMALL[3])
        cloud.openstack("server", "resize", "revert", sid)
        server = wait_status(cloud, sid, "ACTIVE")
        assert flavor_name(server) == TINY[0]
        assert domain_size(cloud, A, sid) == (TINY[1], TINY[2] * 1024)
        assert not (a.instances / f"{sid}_resize").exists()
        wait_usage(cloud, claims(TINY, None))
        cloud.wait_console(sid, "NIMBUS-ROOT-READ dev=/dev/vda", mark,
                           timeout=240)
        cloud.openstack("server", "resize", "--flavor", SMALL[0], "--wait",
                        sid)
        wait_status(cloud, sid, "VERIFY_RESIZE")
        cloud.openstack("server", "resize", "confirm", sid)
        server = wait_status(cloud, sid, "ACTIVE")
    assert flavor_name(server) == SMALL[0]
    assert cloud.host_of(sid) == A
    assert not (a.instances / f"{sid}_resize").exists()
    wait_usage(cloud, claims(SMALL, None))
    cloud.wait_console(sid, "NIMBUS-ROOT-READ dev=/dev/vda", mark,
                       timeout=240)
    cloud.openstack("server", "delete", "--wait", sid)
    wait_usage(cloud, claims(None, None))
