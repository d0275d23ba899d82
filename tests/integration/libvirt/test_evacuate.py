"""Evacuate on two real libvirt hosts (tests/integration/libvirt/
two_hosts.py) with the stock ``openstack`` client: host A is killed (its
compute stopped, its daemon's guest destroyed) and marked down; the
server is rebuilt on host B; when A's compute comes back it removes the
evacuated guest's leftovers and nothing else."""

import subprocess

import pytest

from tests.integration.libvirt.conftest import GUEST_DIR
from tests.integration.libvirt.two_hosts import HOSTS, TwoHostCloud
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    subprocess.run(["tools/build-test-guest.sh", GUEST_DIR], check=True)
    workdir = tmp_path_factory.mktemp("wfimage-evacuate")
    workdir.chmod(0o755)
    with TwoHostCloud(workdir, GUEST_DIR, "wfiev-") as running:
        running.image = running.register_guest_images()
        yield running


def test_evacuate_after_the_host_dies(cloud):
    a, b = HOSTS
    host_a = cloud.hosts[a]
    sid = cloud.boot(["evac-vm"], cloud.image, host=a)["evac-vm"]
    domain = f"{cloud.prefix}{sid}"
    assert cloud.host_of(sid) == a
    # Refused while host A is up.
    assert "still in use" in cloud.openstack_fails("server", "evacuate",
                                                   sid)
    cloud.kill(a)
    host_a.virsh("destroy", domain)
    cloud.openstack("--os-compute-api-version", "2.11", "compute",
                    "service", "set", "--down", a, "nimbus-compute")
    # 2.94: the evacuated guest runs on B (from 2.95 it ends stopped,
    # which the functional tests cover)
    cloud.openstack("--os-compute-api-version", "2.94", "server",
                    "evacuate", sid)
    def on_b():
        server = cloud.server_status(sid)
        return server["status"] == "ACTIVE" and \
            server["OS-EXT-SRV-ATTR:host"] == b
    wait_until(on_b, 240, interval=0.5,
               message="evacuated server ACTIVE on B")
    server = cloud.server(sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", b)
    host_b = cloud.hosts[b]
    assert host_b.virsh("domstate", domain).strip() == "running"
    # The dead host's definition stays until its compute returns.
    assert host_a.virsh("domstate", domain).strip() == "shut off"
    cloud.wait_console(sid, "NIMBUS-GUEST-BOOTED", timeout=240)
    events = cloud.openstack_json("server", "event", "list", sid)
    assert "evacuate" in {e["Action"] for e in events}
    # Host A returns: its compute destroys the evacuated guest's
    # definition and files at start.
    cloud.openstack("--os-compute-api-version", "2.11", "compute",
                    "service", "set", "--up", a, "nimbus-compute")
    cloud.restart(a)
    cloud.wait_computes_up(timeout=180)
    wait_until(lambda: domain not in host_a.domains(cloud.prefix), 120,
               interval=1, message="evacuated guest removed from A")
    assert not (host_a.instances / sid).exists()
    assert cloud.host_of(sid) == b
    cloud.openstack("server", "delete", "--wait", sid)
