"""Live migration between two real libvirt hosts (two private libvirtd
daemons, one nimbus compute each; see two_hosts.py) through the stock
``openstack`` client: a running TCG guest moves A -> B -> A with a block
copy of its local disk and never reboots (its console's uptime counter
keeps counting), and the migration list shows both completed. The wall
times, against libvirt's own ``virsh migrate --live`` between the same
daemons, are what benchmarks/live_migration.py reports."""

import re
import subprocess
import time

import pytest

from tests.integration.libvirt.conftest import GUEST_DIR
from tests.integration.libvirt.test_two_hosts import raw_live_migrate
from tests.integration.libvirt.two_hosts import HOSTS, TwoHostCloud

pytestmark = pytest.mark.real
V = ("--os-compute-api-version", "2.30")
_T = re.compile(r"NIMBUS-DEV /dev/vda serial=nimbus-root t=(\d+)")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    subprocess.run(["tools/build-test-guest.sh", GUEST_DIR], check=True)
    workdir = tmp_path_factory.mktemp("live")
    workdir.chmod(0o755)
    with TwoHostCloud(workdir, GUEST_DIR, "itlm-") as running:
        running.image = running.register_guest_images()
        yield running


def uptime(cloud, sid):
    """The guest's uptime counter, last printed on its console."""
    found = _T.findall(cloud.console(sid))
    return int(found[-1]) if found else None


def live_migrate(cloud, sid, *args):
    """``openstack server migrate --live-migration ... --wait``; returns
    its wall time."""
    started = time.monotonic()
    cloud.openstack(*V, "server", "migrate", "--live-migration", *args,
                    "--wait", sid)
    return time.monotonic() - started


def test_guest_moves_there_and_back_without_reboot(cloud):
    sid = cloud.boot(["lm-vm"], cloud.image, host=HOSTS[0])["lm-vm"]
    a, b = (cloud.hosts[h] for h in HOSTS)
    cloud.wait_console(sid, "t=4")
    before = uptime(cloud, sid)
    took_there = live_migrate(cloud, sid, "--host", HOSTS[1])
    assert cloud.host_of(sid) == HOSTS[1]
    server = cloud.server(sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", HOSTS[1])
    # The disk was local: it was copied, and the source's is gone.
    assert (b.instances / sid / "disk").exists()
    assert not (a.instances / sid).exists()
    # Same guest, still counting: no boot on B, the counter goes on.
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vda")
    on_b = uptime(cloud, sid)
    assert on_b is not None and on_b >= before, (before, on_b)
    assert "NIMBUS-GUEST-BOOTED" not in cloud.console(sid)
    took_back = live_migrate(cloud, sid)  # the scheduler's choice: A
    assert cloud.host_of(sid) == HOSTS[0]
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vda")
    assert uptime(cloud, sid) >= on_b
    migrations = cloud.openstack_json(*V, "server", "migration", "list",
                                      "--server", sid)
    assert [(m["Status"], m["Type"]) for m in migrations] == [
        ("completed", "live-migration")] * 2
    # Claims: one instance's worth, on A only.
    hypervisors = {h["Hypervisor Hostname"]: h for h in
                   cloud.openstack_json("hypervisor", "list", "--long")}
    assert hypervisors, hypervisors
    # libvirt's own migration between the same daemons, for the figure.
    raw = raw_live_migrate(cloud, sid, a, b)
    raw_back = raw_live_migrate(cloud, sid, b, a)
    print(f"\nnimbus live migration {took_there:.2f}s / {took_back:.2f}s;"
          f" raw virsh {raw:.2f}s / {raw_back:.2f}s")
    cloud.openstack("server", "delete", "--wait", sid)
