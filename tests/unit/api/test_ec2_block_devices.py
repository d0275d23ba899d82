"""RunInstances' BlockDeviceMapping read into the compute API's
block_device_mapping_v2, and the groups an instance was created with."""

import json
import types
import unittest

from nimbus.api.ec2 import params
from nimbus.api.ec2.actions import block_devices, instance_view
from nimbus.core import exception

IMAGE = "11111111-2222-3333-4444-555555555555"
SNAP = "66666666-7777-8888-9999-000000000000"


class _Call:
    """Just what :func:`block_devices.mappings` uses of a Call."""

    def __init__(self, text):
        self.params = params.Params(params.parse_pairs(text.encode()))

    def uuid(self, ec2_id, prefixes):
        if ec2_id == "snap-00000001":
            return SNAP
        raise exception.Ec2Error("InvalidSnapshot.NotFound", ec2_id)


def _map(text):
    return block_devices.mappings(_Call(text), IMAGE)


class TestMappings(unittest.TestCase):
    def test_none(self):
        self.assertEqual((None, False), _map("Action=RunInstances"))

    def test_blank_snapshot_and_root(self):
        bdms, root = _map(
            "BlockDeviceMapping.1.DeviceName=/dev/sdb"
            "&BlockDeviceMapping.1.Ebs.VolumeSize=2"
            "&BlockDeviceMapping.2.DeviceName=sdc"
            "&BlockDeviceMapping.2.Ebs.SnapshotId=snap-00000001"
            "&BlockDeviceMapping.2.Ebs.DeleteOnTermination=false"
            "&BlockDeviceMapping.3.DeviceName=/dev/sda1"
            "&BlockDeviceMapping.3.Ebs.VolumeSize=5")
        self.assertTrue(root)
        self.assertEqual([
            {"destination_type": "volume", "delete_on_termination": True,
             "source_type": "image", "uuid": IMAGE, "volume_size": 5,
             "boot_index": 0},
            {"destination_type": "volume", "delete_on_termination": True,
             "source_type": "blank", "volume_size": 2},
            {"destination_type": "volume", "delete_on_termination": False,
             "source_type": "snapshot", "uuid": SNAP}], bdms)

    def test_no_device_is_a_no_op_but_not_for_the_root(self):
        self.assertEqual((None, False), _map(
            "BlockDeviceMapping.1.DeviceName=/dev/sdb"
            "&BlockDeviceMapping.1.NoDevice="))
        with self.assertRaises(exception.Ec2Error) as err:
            _map("BlockDeviceMapping.1.DeviceName=/dev/vda"
                 "&BlockDeviceMapping.1.NoDevice=")
        self.assertEqual("InvalidBlockDeviceMapping", err.exception.ec2_code)

    def test_refusals(self):
        e = "BlockDeviceMapping.1."
        cases = [
            (e + "Ebs.VolumeSize=1", "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/zzz9&" + e + "Ebs.VolumeSize=1",
             "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/sdb", "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.DeleteOnTermination=true",
             "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/sda&" + e + "Ebs.DeleteOnTermination=true",
             "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=1&"
             "BlockDeviceMapping.2.DeviceName=sdb&"
             "BlockDeviceMapping.2.Ebs.VolumeSize=1",
             "InvalidBlockDeviceMapping"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=x",
             "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=16385",
             "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=1&" + e +
             "Ebs.DeleteOnTermination=maybe", "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=1&" + e +
             "Ebs.Encrypted=true", "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=1&" + e +
             "Ebs.Iops=100", "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.VolumeSize=1&" + e +
             "Ebs.VolumeType=io1", "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "VirtualName=ephemeral0",
             "InvalidParameterValue"),
            (e + "DeviceName=/dev/sdb&" + e + "Ebs.SnapshotId=snap-0000ffff",
             "InvalidSnapshot.NotFound"),
        ]
        for text, code in cases:
            with self.subTest(text=text):
                with self.assertRaises(exception.Ec2Error) as err:
                    _map(text)
                self.assertEqual(code, err.exception.ec2_code)


class TestRequestedGroups(unittest.TestCase):
    def test_recorded_names(self):
        inst = types.SimpleNamespace(system_metadata={
            "requested_security_groups": json.dumps(["web", "db"])})
        self.assertEqual(["web", "db"],
                         instance_view.requested_groups(inst))

    def test_none_recorded_or_garbage(self):
        for sysmeta, expected in (
                ({}, []),
                ({"requested_security_groups": "{not json"}, []),
                ({"requested_security_groups": '[1, "x"]'}, ["x"])):
            inst = types.SimpleNamespace(system_metadata=sysmeta)
            self.assertEqual(expected, instance_view.requested_groups(inst))
