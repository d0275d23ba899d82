"""The two-host harness itself: two private libvirtd daemons with their
own guests, a nimbus compute on each, and libvirt's own live migration
between them (the raw path nimbus's live migration is measured against).
"""

import json
import shutil
import subprocess
import time

import pytest

from tests.integration.libvirt.conftest import GUEST_DIR
from tests.integration.libvirt.two_hosts import HOSTS, TwoHostCloud

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    subprocess.run(["tools/build-test-guest.sh", GUEST_DIR], check=True)
    workdir = tmp_path_factory.mktemp("two-hosts")
    workdir.chmod(0o755)
    with TwoHostCloud(workdir, GUEST_DIR, "it2h-") as running:
        running.image = running.register_guest_images()
        yield running


def test_hosts_are_distinct(cloud):
    a, b = (cloud.hosts[h] for h in HOSTS)
    assert a.host_uuid != b.host_uuid
    assert a.address != b.address
    for host in (a, b):
        assert host.virsh("sysinfo", check=False) is not None
        assert host.host_uuid in host.virsh("capabilities")
    hypervisors = cloud.openstack_json("hypervisor", "list")
    assert len(hypervisors) == 2


def test_guest_boots_on_chosen_host_and_raw_live_migration(cloud):
    sid = cloud.boot(["h2-vm"], cloud.image, host=HOSTS[0])["h2-vm"]
    assert cloud.host_of(sid) == HOSTS[0]
    assert cloud.server(sid)["OS-EXT-SRV-ATTR:host"] == HOSTS[0]
    a, b = (cloud.hosts[h] for h in HOSTS)
    # The disk is local to host A only: the same path on B is empty.
    assert (a.instances / sid / "disk").exists()
    assert not (b.instances / sid).exists()
    # libvirt's own migration between the daemons (block copy), the
    # baseline of benchmarks/live_migration.py.
    raw_live_migrate(cloud, sid, a, b)
    assert cloud.host_of(sid) == HOSTS[1]
    assert b.virsh("domstate", f"{cloud.prefix}{sid}").strip() == "running"
    # Back, so nimbus's view (host A) is right again, then delete.
    raw_live_migrate(cloud, sid, b, a)
    assert cloud.host_of(sid) == HOSTS[0]
    assert not (b.instances / sid / "disk").exists()
    cloud.openstack("server", "delete", "--wait", sid)
    assert not a.domains(cloud.prefix)


def raw_live_migrate(cloud, sid, src, dst):
    """``virsh migrate --live --copy-storage-inc`` of ``sid`` from
    ``src`` to ``dst`` the way nimbus's libvirt plugin prepares it: the
    base images and an empty overlay on the same base at the
    destination first. Returns the migrate command's seconds."""
    disk = src.instances / sid / "disk"
    info = json.loads(subprocess.run(
        ["qemu-img", "info", "--force-share", "--output=json", str(disk)],
        check=True, capture_output=True, text=True).stdout)
    shutil.copytree(src.instances / "_base", dst.instances / "_base",
                    dirs_exist_ok=True)
    (dst.instances / sid).mkdir(exist_ok=True)
    # -u: the backing path is the hosts' common instances path, which
    # only the hosts' namespaces show.
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-u", "-F",
                    info.get("backing-filename-format", "raw"), "-b",
                    info["backing-filename"], str(dst.instances / sid /
                                                  "disk"),
                    str(info["virtual-size"])], check=True)
    started = time.monotonic()
    src.virsh("migrate", "--live", "--p2p", "--persistent",
              "--undefinesource", "--copy-storage-inc", "--migrate-disks",
              "vda", f"{cloud.prefix}{sid}", dst.tcp_uri, "--migrateuri",
              f"tcp://{dst.address}", "--listen-address", dst.address)
    took = time.monotonic() - started
    shutil.rmtree(src.instances / sid)
    return took
