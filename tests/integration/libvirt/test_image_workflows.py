"""Snapshot, rescue and shelve on real libvirt guests (virt_type qemu)
through nimbus-all, driven with the stock ``openstack`` client.

One deployment and one guest serve the module (a TCG guest costs a few
seconds to boot): the guest writes a marker 1 MiB into its root disk at
its first boot (tools/build-test-guest.sh); a snapshot of it boots a
second guest that prints that marker; rescue attaches the same disk
second; shelve/unshelve brings the disk back through the shelved image.
"""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.integration.libvirt.test_api import BIN, Nimbus, _console, _status

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def cloud(libvirt_env):
    deployment = Nimbus(libvirt_env)
    deployment.start()
    try:
        deployment.image = deployment.register_guest_images()
        conn = deployment.sdk()
        conn.compute.create_flavor(name="wfi.small", ram=128, vcpus=1,
                                   disk=1, id="wfi-small")
        yield deployment
    finally:
        deployment.stop()
        for name in libvirt_env.own_domains():
            if name.startswith(deployment.prefix):
                libvirt_env.virsh("destroy", name, check=False)
                libvirt_env.virsh("undefine", name, "--managed-save",
                                  check=False)
        shutil.rmtree(deployment.dir, ignore_errors=True)


def osc(cloud, *args, timeout=300):
    """Run the stock ``openstack`` client against the deployment; return
    its parsed JSON output (or its text)."""
    result = subprocess.run(
        [f"{BIN}/openstack", "--os-cloud", "nimbus", *args],
        env=dict(os.environ, OS_CLIENT_CONFIG_FILE=(
            f"{cloud.dir}/state/clouds.yaml")),
        capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (args, result.stdout, result.stderr,
                                    cloud.log())
    out = result.stdout.strip()
    if "-f" in args and "json" in args:
        return json.loads(out)
    return out


@pytest.fixture(scope="module")
def guest(cloud):
    """The module's guest: booted, its root marker written."""
    server = osc(cloud, "server", "create", "--image", cloud.image,
                 "--flavor", "wfi-small", "--nic", "none", "--wait", "-f",
                 "json", "wfi-a")
    conn = cloud.sdk()
    _console(conn, server["id"], "NIMBUS-ROOT-WROTE", timeout=120)
    return server["id"]


def _mark(conn, server_id):
    out = conn.compute.get_server_console_output(server_id)["output"]
    return [line for line in out.splitlines() if "NIMBUS-ROOT-" in line]


def _disk_serials(cloud, server_id):
    xml = cloud.env.virsh("dumpxml", f"{cloud.prefix}{server_id}")
    return [d.findtext("serial") for d in
            ET.fromstring(xml).findall("./devices/disk")]


def test_snapshot_of_a_running_guest_boots_with_its_marker(cloud, guest):
    conn = cloud.sdk()
    written = _mark(conn, guest)[0]
    assert guest.lower() in written.lower()
    image = osc(cloud, "server", "image", "create", "--name", "wfi-snap",
                "--wait", "-f", "json", guest)
    shown = osc(cloud, "image", "show", "-f", "json", image["id"])
    assert shown["status"] == "active"
    props = shown["properties"]
    assert props["image_type"] == "snapshot"
    assert props["instance_uuid"] == guest
    assert cloud.domstate(guest) == "running"
    assert _status(conn, guest, "ACTIVE").task_state is None
    clone = osc(cloud, "server", "create", "--image", "wfi-snap",
                "--flavor", "wfi-small", "--nic", "none", "--wait", "-f",
                "json", "wfi-b")
    _console(conn, clone["id"], "NIMBUS-ROOT-READ", timeout=120)
    read = _mark(conn, clone["id"])[0]
    assert f"NIMBUS-ROOTMARK:{guest}".lower() in read.lower(), read
    osc(cloud, "server", "delete", "--wait", clone["id"])


def test_rescue_attaches_the_disk_and_unrescue_returns(cloud, guest):
    conn = cloud.sdk()
    osc(cloud, "server", "rescue", guest)
    _status(conn, guest, "RESCUE")
    assert _disk_serials(cloud, guest) == ["nimbus-rescue", "nimbus-root"]
    # The rescue guest sees the server's own disk second, marker and all.
    _console(conn, guest, "NIMBUS-ROOT-READ dev=/dev/vdb", timeout=120)
    assert cloud.domstate(guest) == "running"
    osc(cloud, "server", "unrescue", guest)
    _status(conn, guest, "ACTIVE")
    assert _disk_serials(cloud, guest) == ["nimbus-root"]
    _console(conn, guest, "NIMBUS-ROOT-READ dev=/dev/vda", timeout=120)
    assert not os.path.exists(
        f"{cloud.dir}/instances/{guest}/disk.rescue")


def test_shelve_frees_the_host_and_unshelve_boots_it(cloud, guest):
    conn = cloud.sdk()

    def usage():
        hyp, = conn.compute.get("/os-hypervisors/detail").json()[
            "hypervisors"]
        return hyp["vcpus_used"], hyp["memory_mb_used"], hyp["running_vms"]
    with_guest = usage()
    assert with_guest[2] == 1
    osc(cloud, "server", "shelve", "--wait", guest)
    _status(conn, guest, "SHELVED_OFFLOADED")
    assert f"{cloud.prefix}{guest}" not in cloud.env.own_domains()
    assert not os.path.exists(f"{cloud.dir}/instances/{guest}")
    assert usage() == (with_guest[0] - 1, with_guest[1] - 128, 0)
    osc(cloud, "server", "unshelve", "--wait", guest)
    _status(conn, guest, "ACTIVE")
    assert cloud.domstate(guest) == "running"
    assert usage() == with_guest
    # Booted from the shelved image: the disk's marker came along.
    _console(conn, guest, "NIMBUS-ROOT-READ", timeout=120)
    read = [line for line in _mark(conn, guest) if "READ" in line][-1]
    assert f"NIMBUS-ROOTMARK:{guest}".lower() in read.lower(), read
    images = osc(cloud, "image", "list", "-f", "json")
    assert not [i for i in images if i["Name"] == "wfi-a-shelved"]
