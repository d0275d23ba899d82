"""Property-based fuzzing of the EC2 dialect from botocore's ec2 service
model: for every action nimbus implements, hypothesis draws parameters
of the shapes the model gives (structures, lists, enums, integers,
timestamps, ids), now and then mutates their values into hostile ones,
serializes them as botocore's EC2 query serializer does and signs them
with SigV4. Every answer is a success or EC2 error XML with a 4xx:
never a 5xx, never a traceback, in the body or in the logs."""

import datetime
import string
import time
import urllib.parse
from xml.etree import ElementTree as ET

import botocore.session
import pytest
import requests
from botocore import serialize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nimbus.api.ec2 import actions
from tests.functional.api import fuzzing
from tests.functional.ec2.conftest import demo_ami
from tests.functional.ec2.test_ec2_auth import sign_v4

MODEL = botocore.session.get_session().get_service_model("ec2")
SERIALIZER = serialize.create_serializer("ec2", include_validation=False)
ACTIONS = sorted(actions.ACTIONS)
PROJECT = "p-model-fuzz"
PREFIXES = ["i-", "ami-", "aki-", "ari-", "vol-", "snap-", "sg-",
            "eipalloc-", "eipassoc-", "key-", "r-"]
HOSTILE = ["", " ", "\x00", "\x1f", "\x7f", "é", "😀", "a" * 300,
           "²", "١٢", "-1", "0", "99999999999999999999", "1e3", "0x10",
           "true", "*", "?", "[", "%", "<a/>", "&amp;", "../..",
           "not base64!", "ZWNobyBoaQ==", "Filter.1.Name"]
#: every character but surrogates (which UTF-8 cannot carry).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)


#: ids of the project's real resources (filled by ``endpoint``).
REAL = []


def _ids():
    hexes = st.text("0123456789abcdef", min_size=1, max_size=17)
    real = st.integers(0, 1 << 16).map(
        lambda i: REAL[i % len(REAL)] if REAL else "i-1")
    return st.one_of(real, real, st.builds(
        lambda p, h: p + h, st.sampled_from(PREFIXES), hexes))


def _string(name, shape):
    options = [TEXT, st.sampled_from(HOSTILE)]
    if shape.enum:
        options.insert(0, st.sampled_from(shape.enum))
    if name.endswith(("Id", "Ids", "Name", "Names")) or name == "member":
        options.insert(0, _ids())
    if "Token" in name or name == "UserData":
        options.append(st.text(string.ascii_letters + string.digits +
                               "+/=_-", max_size=40))
    return st.one_of(options)


def _strategy(name, shape, depth=0):
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return st.just({})
        # required members mostly there: the run should get past
        # MissingParameter to each action's own checks
        required = set(shape.required_members)
        return st.fixed_dictionaries({
            member: _strategy(member, sub, depth + 1)
            for member, sub in shape.members.items()
            if member in required}, optional={
            member: _strategy(member, sub, depth + 1)
            for member, sub in shape.members.items()
            if member not in required})
    if kind == "list":
        return st.lists(_strategy(name, shape.member, depth + 1),
                        max_size=3)
    if kind == "map":
        return st.dictionaries(TEXT, _strategy(name, shape.value,
                                               depth + 1), max_size=2)
    if kind == "string":
        return _string(name, shape)
    if kind in ("integer", "long"):
        return st.integers(-2 ** 40, 2 ** 40)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "timestamp":
        return st.datetimes(datetime.datetime(1970, 1, 2),
                            datetime.datetime(2200, 1, 1))
    if kind == "blob":
        return st.binary(max_size=48)
    raise AssertionError(f"shape type {kind} of {name}")


STRATEGIES = {name: _strategy(name, MODEL.operation_model(name).input_shape)
              for name in ACTIONS}


@st.composite
def requests_(draw):
    """``(action, [(name, value)])``: a model-shaped request, with
    values or names now and then mutated."""
    action = draw(st.sampled_from(ACTIONS))
    params = draw(STRATEGIES[action])
    body = SERIALIZER.serialize_to_request(
        params, MODEL.operation_model(action))["body"]
    pairs = [(k, str(v)) for k, v in body.items()]
    if pairs[2:] and draw(st.integers(0, 9)) == 0:
        del pairs[draw(st.integers(2, len(pairs) - 1))]
    for index in draw(st.lists(st.integers(0, len(pairs) - 1),
                               max_size=2)):
        name, _ = pairs[index]
        if name not in ("Action", "Version"):
            pairs[index] = (name, draw(st.one_of(
                st.sampled_from(HOSTILE), TEXT)))
    if draw(st.integers(0, 9)) == 0:
        pairs.append((draw(st.sampled_from(
            ["Filter.1.Value", "InstanceId.0", "A.B.C", "MaxResults",
             "NextToken", "Foo"])), draw(st.sampled_from(HOSTILE))))
    return action, pairs


@pytest.fixture(scope="module")
def endpoint(ec2_cloud):
    """The URL, credentials and a session; the project holds one of
    each resource (instance, volume, snapshot, group, key pair,
    tag; no address: this cloud has no floating pool) whose ids the
    run draws from."""
    client = ec2_cloud.client(project=PROJECT)
    instance = client.run_instances(
        ImageId=demo_ami(client), MinCount=1, MaxCount=1,
        InstanceType="m1.tiny")["Instances"][0]["InstanceId"]
    volume = client.create_volume(Size=1, AvailabilityZone="nova")
    client.get_waiter("volume_available").wait(
        VolumeIds=[volume["VolumeId"]],
        WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    snapshot = client.create_snapshot(VolumeId=volume["VolumeId"])
    group = client.create_security_group(GroupName="fuzz",
                                         Description="fuzz")["GroupId"]
    client.create_key_pair(KeyName="fuzz")
    client.create_tags(Resources=[instance],
                       Tags=[{"Key": "k", "Value": "v"}])
    REAL.extend([instance, volume["VolumeId"], snapshot["SnapshotId"],
                 group, "eipalloc-00000001", "203.0.113.9",
                 demo_ami(client), "fuzz", "default", "nova"])
    cred = ec2_cloud.credentials(project=PROJECT)
    return ec2_cloud.ec2_url + "/", cred, requests.Session()


def _check(response, body):
    assert response.status_code < 500, (body, response.text)
    assert "Traceback" not in response.text, body
    root = ET.fromstring(response.content)  # well-formed XML
    if response.status_code >= 400:
        assert root.tag == "Response", (body, response.text)
        code = root.find("Errors/Error/Code")
        assert code is not None and code.text, (body, response.text)
        assert code.text not in ("InternalError", "AuthFailure",
                                 "SignatureDoesNotMatch"), response.text
        return code.text
    return 200


@settings(max_examples=1000, deadline=None, derandomize=True,
          database=None, suppress_health_check=list(HealthCheck))
@given(request=requests_())
def _fuzz(endpoint, seen, request):
    url, cred, session = endpoint
    action, pairs = request
    body = urllib.parse.urlencode(pairs)
    headers = sign_v4(url, body, cred["access"], cred["secret"],
                      datetime.datetime.now(datetime.UTC))
    with fuzzing.watched_logs() as logs:
        response = session.post(url, data=body, headers=headers,
                                timeout=60)
    seen.add((action, _check(response, body)))
    assert logs.found == [], body


def test_model_shaped_requests_never_5xx(endpoint):
    seen = set()
    _fuzz(endpoint, seen)
    # the run got past the signature and the parser: most actions
    # answered a success or their own validation error
    answered = {action for action, _ in seen}
    assert len(answered) >= len(ACTIONS) * 0.9, set(ACTIONS) - answered
    codes = {code for _, code in seen}
    assert {200, "InvalidParameterValue", "MissingParameter"} <= codes, \
        codes


def test_nothing_is_left_in_flight(ec2_cloud, endpoint):
    """After the run every instance and volume of the project settles:
    none stays in a transitional state (no half-done work)."""
    client = ec2_cloud.client(project=PROJECT)
    moving = {"pending", "stopping", "shutting-down", "creating",
              "attaching", "detaching", "deleting"}
    for _ in range(100):
        states = {i["InstanceId"]: i["State"]["Name"]
                  for r in client.describe_instances()["Reservations"]
                  for i in r["Instances"]}
        states.update({v["VolumeId"]: v["State"]
                       for v in client.describe_volumes()["Volumes"]})
        states.update({s["SnapshotId"]: s["State"]
                       for s in client.describe_snapshots()["Snapshots"]})
        if not moving & set(states.values()):
            return
        time.sleep(0.2)
    raise AssertionError({k: v for k, v in states.items() if v in moving})
