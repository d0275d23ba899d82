"""Disk-attach protocols: file, block device, iSCSI (with CHAP)."""

import xml.etree.ElementTree as ET

import pytest

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import volume
from nimbus.plugins.hypervisors.libvirt.volume import iscsi


class RecordingHost:
    """Stands in for Host: records the secrets set and deleted."""

    def __init__(self):
        self.secrets = {}
        self.deleted = []

    def set_secret(self, usage_type, usage, value):
        self.secrets[usage] = (usage_type, value)

    def delete_secret(self, usage_type, usage):
        self.deleted.append((usage_type, usage))


def _xml(protocol, disk, host=None):
    cfg = volume.for_protocol(protocol, host or RecordingHost()).connect(
        "inst-1", disk, "vdb", "virtio")
    return ET.fromstring(ET.tostring(cfg.to_xml(), encoding="unicode"))


def test_file_disk():
    el = _xml("file", hv.DiskSpec(serial="data-1", path="/srv/d.qcow2",
                                  disk_format="qcow2"))
    assert el.get("type") == "file"
    assert el.find("source").get("file") == "/srv/d.qcow2"
    assert el.find("driver").get("type") == "qcow2"
    assert el.findtext("serial") == "data-1"
    assert el.find("target").attrib == {"dev": "vdb", "bus": "virtio"}


@pytest.mark.parametrize("protocol,extra", [
    ("file", {"path": "/srv/shared.raw"}),
    ("block", {"path": "/dev/sdc"}),
    ("iscsi", {"portal": "10.0.0.5:3260", "iqn": "iqn.2010-10.x:v"}),
])
def test_a_shareable_disk_is_shareable_without_host_cache(protocol, extra):
    el = _xml(protocol, hv.DiskSpec(serial="shared", protocol=protocol,
                                    shareable=True, **extra))
    assert el.find("shareable") is not None
    assert el.find("driver").get("cache") == "none"


def test_a_plain_disk_is_not_shareable():
    el = _xml("file", hv.DiskSpec(serial="data-1", path="/srv/d.raw"))
    assert el.find("shareable") is None
    assert el.find("driver").get("cache") is None


def test_block_disk_read_only():
    el = _xml("block", hv.DiskSpec(serial="blk", protocol="block",
                                   path="/dev/sdb", read_only=True))
    assert el.get("type") == "block"
    assert el.find("source").get("dev") == "/dev/sdb"
    assert el.find("readonly") is not None


def test_iscsi_disk_without_chap():
    el = _xml("iscsi", hv.DiskSpec(
        serial="vol-1", protocol="iscsi", portal="127.0.0.1:3260",
        iqn="iqn.2010-10.org.openstack:volume-1", lun=1))
    assert el.get("type") == "network"
    src = el.find("source")
    assert src.get("protocol") == "iscsi"
    assert src.get("name") == "iqn.2010-10.org.openstack:volume-1/1"
    assert src.find("host").attrib == {"name": "127.0.0.1", "port": "3260"}
    assert el.find("auth") is None
    assert el.find("driver").get("cache") == "none"


def test_iscsi_chap_goes_through_a_secret():
    host = RecordingHost()
    disk = hv.DiskSpec(serial="vol-2", protocol="iscsi", portal="[::1]",
                       iqn="iqn.x:y", lun=0, auth_username="user",
                       auth_secret="s3cret")
    el = _xml("iscsi", disk, host)
    usage = iscsi.secret_usage("inst-1", "vol-2")
    assert host.secrets == {usage: ("iscsi", "s3cret")}
    assert el.find("auth").get("username") == "user"
    assert el.find("auth/secret").attrib == {"type": "iscsi",
                                             "usage": usage}
    assert el.find("source/host").attrib == {"name": "::1", "port": "3260"}
    assert b"s3cret" not in ET.tostring(el)
    volume.for_protocol("iscsi", host).disconnect("inst-1", "vol-2")
    assert host.deleted == [("iscsi", usage)]


@pytest.mark.parametrize("portal", ["", "host:notaport", "host:0",
                                    "host:70000"])
def test_iscsi_bad_portal(portal):
    with pytest.raises(exception.InvalidInput):
        iscsi.parse_portal(portal)


@pytest.mark.parametrize("protocol,disk", [
    ("file", hv.DiskSpec(serial="a", path="relative/path")),
    ("file", hv.DiskSpec(serial="a", path=None)),
    ("file", hv.DiskSpec(serial="bad serial!", path="/a")),
    ("file", hv.DiskSpec(serial="a" * 21, path="/a")),
    ("file", hv.DiskSpec(serial="a", path="/a", disk_format="vmdk")),
    ("block", hv.DiskSpec(serial="a", protocol="block", path="/srv/x")),
    ("iscsi", hv.DiskSpec(serial="a", protocol="iscsi", portal="h",
                          iqn=None)),
    ("iscsi", hv.DiskSpec(serial="a", protocol="iscsi", portal="h",
                          iqn="iqn.x", auth_username="u")),
])
def test_invalid_disks_are_rejected(protocol, disk):
    with pytest.raises(exception.InvalidInput):
        volume.for_protocol(protocol, RecordingHost()).connect(
            "inst-1", disk, "vdb", "virtio")


def test_unknown_protocol():
    with pytest.raises(exception.InvalidInput, match="rbd"):
        volume.for_protocol("rbd", RecordingHost())
