"""A bounded fuzz run of the EC2 dialect: random actions, parameter
names and values, correctly signed, must never answer 5xx nor anything
but an EC2 XML document."""

import datetime
import random
import urllib.parse
from xml.etree import ElementTree as ET

import requests

from nimbus.api.ec2 import actions
from tests.functional.ec2.test_ec2_auth import sign_v4

NAMES = ["InstanceId", "InstanceId.1", "InstanceId.2", "ImageId",
         "ImageId.1", "MinCount", "MaxCount", "InstanceType", "KeyName",
         "KeyName.1", "UserData", "ClientToken", "Placement.AvailabilityZone",
         "SecurityGroup.1", "SecurityGroupId.1", "Filter.1.Name",
         "Filter.1.Value.1", "Filter.1.Value", "Filter.x.Name", "Filter.1",
         "MaxResults", "NextToken", "PublicKeyMaterial", "Name",
         "Description", "Attribute", "ResourceId.1", "Tag.1.Key",
         "Tag.1.Value", "Tag.1", "AttributeName.1", "RegionName.1",
         "ZoneName.1", "TagSpecification.1.ResourceType",
         "TagSpecification.1.Tag.1.Key", "Owner.1", "ImageLocation",
         "Architecture", "Foo", "A.B.C.D", "InstanceId.0",
         "InstanceId.99999999999", "Filter.1.Value.-1"]
VALUES = ["", "x", "0", "-1", "1", "5", "99999999999999999999", "true",
          "i-00000001", "i-zzzz", "ami-00000001", "ami-", "sg-00000001",
          "vol-00000001", "m1.tiny", "instance-state-name", "tag:Name",
          "running", "*", "?", "[", "\x00", "\x1f", "é", "\ud7ff", "😀",
          "a" * 300, "<xml/>", "&amp;", "instance", "launchPermission",
          "self", "ZWNobyBoaQ==", "not base64!", "%", "Action"]


def _body(rng, action):
    pairs = [("Action", action), ("Version", "2016-11-15")]
    for _ in range(rng.randint(0, 6)):
        pairs.append((rng.choice(NAMES), rng.choice(VALUES)))
    return urllib.parse.urlencode(pairs)


def test_random_requests_never_5xx(ec2):
    rng = random.Random(1234)
    cred = ec2.credentials(project="p-fuzz")
    url = ec2.ec2_url + "/"
    names = sorted(actions.ACTIONS) + ["", "Bogus", "describeinstances"]
    session = requests.Session()
    codes = set()
    for _ in range(400):
        body = _body(rng, rng.choice(names))
        headers = sign_v4(url, body, cred["access"], cred["secret"],
                          datetime.datetime.now(datetime.UTC))
        response = session.post(url, data=body, headers=headers,
                                timeout=60)
        assert response.status_code < 500, (body, response.text)
        root = ET.fromstring(response.content)  # well-formed XML
        if response.status_code >= 400:
            assert root.tag == "Response", body
            assert root.find("Errors/Error/Code").text, body
            codes.add(root.find("Errors/Error/Code").text)
        else:
            codes.add(200)
    # the run reached the actions, not only the signature check
    assert {200, "InvalidAction", "MissingParameter",
            "InvalidParameterValue"} <= codes, codes
    assert "AuthFailure" not in codes and "InternalError" not in codes
    raw = [b"\xff\xfe", b"Action=%ZZ", b"=&=&&", b"a" * 200000]
    for body in raw:
        headers = sign_v4(url, body, cred["access"], cred["secret"],
                          datetime.datetime.now(datetime.UTC))
        response = session.post(url, data=body, headers=headers,
                                timeout=60)
        assert 400 <= response.status_code < 500, (body[:40],
                                                   response.text)
        ET.fromstring(response.content)
