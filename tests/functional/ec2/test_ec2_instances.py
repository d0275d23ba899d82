"""Instances over EC2 with boto3 (unchanged, SigV4) against the embedded
cloud with the fake hypervisor."""

import base64

import pytest
from botocore.exceptions import ClientError, WaiterError

from tests.functional.ec2.conftest import demo_ami, wait_state

FAST = {"Delay": 0.2, "MaxAttempts": 100}


def code(err):
    return err.value.response["Error"]["Code"]


def test_run_wait_console_stop_start_reboot_terminate(ec2):
    client = ec2.client(project="p-life")
    ami = demo_ami(client)
    assert ami.startswith("ami-")
    client.create_key_pair(KeyName="k1")
    reservation = client.run_instances(
        ImageId=ami, MinCount=1, MaxCount=1, InstanceType="m1.tiny",
        KeyName="k1", UserData="echo hi",
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": "Name", "Value": "vm1"}]}])
    assert reservation["ReservationId"].startswith("r-")
    instance = reservation["Instances"][0]
    iid = instance["InstanceId"]
    assert iid.startswith("i-") and instance["ImageId"] == ami
    assert instance["State"] == {"Code": 0, "Name": "pending"}
    assert instance["KeyName"] == "k1"
    assert instance["InstanceType"] == "m1.tiny"

    client.get_waiter("instance_running").wait(InstanceIds=[iid],
                                               WaiterConfig=FAST)
    running = client.describe_instances(InstanceIds=[iid])
    shown = running["Reservations"][0]["Instances"][0]
    assert shown["State"] == {"Code": 16, "Name": "running"}
    assert shown["PrivateIpAddress"]
    assert {"Key": "Name", "Value": "vm1"} in shown["Tags"]

    output = client.get_console_output(InstanceId=iid)
    assert output["InstanceId"] == iid
    assert output["Output"]  # botocore decodes the base64 itself
    password = client.get_password_data(InstanceId=iid)
    assert (password["InstanceId"], password["PasswordData"]) == (iid, "")

    stopped = client.stop_instances(InstanceIds=[iid])
    change = stopped["StoppingInstances"][0]
    assert change["PreviousState"]["Name"] == "running"
    wait_state(client, iid, "stopped")
    client.start_instances(InstanceIds=[iid])
    wait_state(client, iid, "running")
    client.reboot_instances(InstanceIds=[iid])
    wait_state(client, iid, "running")

    done = client.terminate_instances(InstanceIds=[iid])
    assert done["TerminatingInstances"][0]["InstanceId"] == iid
    client.get_waiter("instance_terminated").wait(InstanceIds=[iid],
                                                  WaiterConfig=FAST)
    gone = client.describe_instances(InstanceIds=[iid])
    assert gone["Reservations"][0]["Instances"][0]["State"] == {
        "Code": 48, "Name": "terminated"}
    # terminating again is harmless, as on AWS
    again = client.terminate_instances(InstanceIds=[iid])
    assert again["TerminatingInstances"][0]["CurrentState"]["Name"] == \
        "terminated"


def test_counts_filters_paging_and_client_token(ec2):
    client = ec2.client(project="p-list")
    ami = demo_ami(client)
    first = client.run_instances(ImageId=ami, MinCount=3, MaxCount=3,
                                 InstanceType="m1.tiny",
                                 ClientToken="tok-1")
    assert len(first["Instances"]) == 3
    assert sorted(i["AmiLaunchIndex"] for i in first["Instances"]) == \
        [0, 1, 2]
    same = client.run_instances(ImageId=ami, MinCount=3, MaxCount=3,
                                InstanceType="m1.tiny", ClientToken="tok-1")
    assert sorted(i["InstanceId"] for i in same["Instances"]) == \
        sorted(i["InstanceId"] for i in first["Instances"])
    other = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                 InstanceType="m1.small")
    other_id = other["Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[i["InstanceId"] for i in first["Instances"]] +
        [other_id], WaiterConfig=FAST)

    def ids(**kwargs):
        found = client.describe_instances(**kwargs)
        return sorted(i["InstanceId"] for r in found["Reservations"]
                      for i in r["Instances"])
    assert ids(Filters=[{"Name": "instance-type",
                         "Values": ["m1.small"]}]) == [other_id]
    assert len(ids(Filters=[{"Name": "instance-state-name",
                             "Values": ["pending", "running"]}])) == 4
    assert ids(Filters=[{"Name": "reservation-id",
                         "Values": [other["ReservationId"]]}]) == [other_id]
    client.create_tags(Resources=[other_id],
                       Tags=[{"Key": "role", "Value": "web"}])
    assert ids(Filters=[{"Name": "tag:role", "Values": ["w*"]}]) == \
        [other_id]
    assert ids(Filters=[{"Name": "tag-key", "Values": ["role"]}]) == \
        [other_id]

    pages = client.get_paginator("describe_instances").paginate(
        PaginationConfig={"PageSize": 5})
    seen = [i["InstanceId"] for page in pages
            for r in page["Reservations"] for i in r["Instances"]]
    assert len(seen) == 4 and len(set(seen)) == 4
    page = client.describe_instances(MaxResults=5)
    assert "NextToken" not in page
    reservations = {r["ReservationId"]: len(r["Instances"])
                    for r in page["Reservations"]}
    assert sorted(reservations.values()) == [1, 3]

    with pytest.raises(ClientError) as err:
        client.describe_instances(Filters=[{"Name": "no-such-filter",
                                            "Values": ["x"]}])
    assert code(err) == "InvalidParameterValue"


def test_errors_clients_test_for(ec2):
    client = ec2.client(project="p-errors")
    ami = demo_ami(client)
    cases = [
        (lambda: client.describe_instances(InstanceIds=["i-zz"]),
         "InvalidInstanceID.Malformed"),
        (lambda: client.describe_instances(InstanceIds=["i-0000ffff"]),
         "InvalidInstanceID.NotFound"),
        (lambda: client.terminate_instances(InstanceIds=["bogus"]),
         "InvalidInstanceID.Malformed"),
        (lambda: client.run_instances(ImageId="ami-0000ffff", MinCount=1,
                                      MaxCount=1),
         "InvalidAMIID.NotFound"),
        (lambda: client.run_instances(ImageId="nope", MinCount=1,
                                      MaxCount=1),
         "InvalidAMIID.Malformed"),
        (lambda: client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                      KeyName="missing"),
         "InvalidKeyPair.NotFound"),
        (lambda: client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                      InstanceType="m9.huge"),
         "InvalidParameterValue"),
        (lambda: client.run_instances(ImageId=ami, MinCount=2, MaxCount=1),
         "InvalidParameterValue"),
        (lambda: client.get_console_output(InstanceId="i-0000ffff"),
         "InvalidInstanceID.NotFound"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as err:
            call()
        assert code(err) == expected
        status = err.value.response["ResponseMetadata"]["HTTPStatusCode"]
        assert 400 <= status < 500
        assert err.value.response["ResponseMetadata"]["RequestId"]


def test_over_quota_is_instance_limit_exceeded(ec2):
    ec2.conf.set_override("instances", 1, "quota")
    client = ec2.client(project="p-quota")
    with pytest.raises(ClientError) as err:
        client.run_instances(ImageId=demo_ami(client), MinCount=2,
                             MaxCount=2)
    assert code(err) == "InstanceLimitExceeded"


def test_failed_waiter_on_terminated(ec2):
    client = ec2.client(project="p-waiter")
    iid = client.run_instances(ImageId=demo_ami(client), MinCount=1,
                               MaxCount=1)["Instances"][0]["InstanceId"]
    client.terminate_instances(InstanceIds=[iid])
    with pytest.raises(WaiterError):
        client.get_waiter("instance_running").wait(InstanceIds=[iid],
                                                   WaiterConfig=FAST)


def test_same_server_over_both_dialects(ec2):
    """An EC2 instance is the OpenStack API's server and the other way
    round; another project sees neither."""
    client = ec2.client(project="p-both")
    iid = client.run_instances(
        ImageId=demo_ami(client), MinCount=1, MaxCount=1,
        UserData="#!/bin/sh\necho hi\n", InstanceType="m1.tiny",
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": "Name", "Value": "both"}]}],
    )["Instances"][0]["InstanceId"]
    uuid = _uuid(ec2, iid)
    server = ec2.sdk("admin:admin").compute.get_server(uuid)
    assert server.name == "both" and server.project_id == "p-both"
    assert base64.b64decode(server.user_data) == b"#!/bin/sh\necho hi\n"

    made = ec2.sdk("demo:p-both").compute.create_server(
        name="from-os", image_id="a0d1c0de-0000-4000-8000-000000000001",
        flavor_id="1", networks="auto")
    found = client.describe_instances()
    shown = [i for r in found["Reservations"] for i in r["Instances"]]
    assert len(shown) == 2
    assert made.id in {_uuid(ec2, i["InstanceId"]) for i in shown}

    stranger = ec2.client(user="bob", project="other")
    assert stranger.describe_instances()["Reservations"] == []
    with pytest.raises(ClientError) as err:
        stranger.describe_instances(InstanceIds=[iid])
    assert code(err) == "InvalidInstanceID.NotFound"
    with pytest.raises(ClientError) as err:
        stranger.terminate_instances(InstanceIds=[iid])
    assert code(err) == "InvalidInstanceID.NotFound"
    with pytest.raises(ClientError) as err:
        stranger.create_tags(Resources=[iid],
                             Tags=[{"Key": "x", "Value": "y"}])
    assert code(err) == "InvalidInstanceID.NotFound"


def _uuid(ec2, iid):
    from nimbus.core import context as nimbus_context
    from nimbus.core.db import api as db_api
    from nimbus.core.ec2 import ids
    return ids.Ec2IdAPI(ec2.conf, db_api).uuid(
        nimbus_context.get_admin_context(), iid, ("i",))
