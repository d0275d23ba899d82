"""Numbers that only look like numbers (``²`` passes ``str.isdigit``,
``int()`` refuses it) and ids beyond what the database holds (an EC2 id
may have 17 hex digits): EC2 error XML with a 4xx, never a 500. Found
by test_ec2_model_fuzz; pinned here."""

import datetime
import urllib.parse
from xml.etree import ElementTree as ET

import pytest
import requests

from tests.functional.api import fuzzing
from tests.functional.ec2.conftest import demo_ami
from tests.functional.ec2.test_ec2_auth import sign_v4

PROJECT = "p-bad-numbers"


def _call(ec2, pairs):
    cred = ec2.credentials(project=PROJECT)
    demo = demo_ami(ec2.client(project=PROJECT))
    pairs = [pairs[0]] + [(k, v.format(demo=demo)) for k, v in pairs[1:]]
    url = ec2.ec2_url + "/"
    body = urllib.parse.urlencode(
        [("Action", pairs[0]), ("Version", "2016-11-15")] + pairs[1:])
    headers = sign_v4(url, body, cred["access"], cred["secret"],
                      datetime.datetime.now(datetime.UTC))
    return requests.post(url, data=body, headers=headers, timeout=30)


@pytest.mark.parametrize("pairs, code", [
    (["DescribeVolumes", ("NextToken", "²")], "InvalidParameterValue"),
    (["DescribeSnapshots", ("NextToken", "²")], "InvalidParameterValue"),
    (["DescribeTags", ("NextToken", "²")], "InvalidParameterValue"),
    (["DescribeInstances", ("InstanceId.²", "i-00000001")],
     "InvalidParameterValue"),
    (["RunInstances", ("ImageId", "{demo}"), ("MinCount", "1"),
      ("MaxCount", "1"), ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
      ("BlockDeviceMapping.1.Ebs.VolumeSize", "²")],
     "InvalidParameterValue"),
    (["DeregisterImage", ("ImageId", "aki-8000000000000000")],
     "InvalidAMIID.NotFound"),
    (["DescribeInstances", ("InstanceId.1", "i-80000000")],
     "InvalidInstanceID.NotFound"),
    (["DeleteVolume", ("VolumeId", "vol-fffffffffffffffff")],
     "InvalidVolume.NotFound"),
    (["DescribeSnapshots", ("SnapshotId.1", "snap-100000000")],
     "InvalidSnapshot.NotFound"),
])
def test_bad_numbers_are_ec2_errors(ec2, capfd, pairs, code):
    with fuzzing.watched_logs() as logs:
        response = _call(ec2, pairs)
    assert 400 <= response.status_code < 500, response.text
    root = ET.fromstring(response.content)
    assert root.find("Errors/Error/Code").text == code, response.text
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err


def test_refused_requests_left_nothing_behind(ec2):
    """Nothing of the refused RunInstances above was recorded."""
    client = ec2.client(project=PROJECT)
    assert client.describe_instances()["Reservations"] == []
    assert client.describe_volumes()["Volumes"] == []
