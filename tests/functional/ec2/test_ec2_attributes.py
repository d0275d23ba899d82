"""CreateImage, Describe/ModifyInstanceAttribute, RunInstances'
BlockDeviceMapping and an attach in progress, over EC2 with boto3 and
the stock AWS CLI (fake hypervisor, fake volume backend)."""

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.functional.ec2.conftest import demo_ami, wait_state

WAIT = {"Delay": 0.2, "MaxAttempts": 150}


def code(err):
    return err.value.response["Error"]["Code"]


def status(err):
    return err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _run(client, **extra):
    args = dict(ImageId=demo_ami(client), MinCount=1, MaxCount=1,
                InstanceType="m1.tiny")
    args.update(extra)
    iid = client.run_instances(**args)["Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(InstanceIds=[iid],
                                               WaiterConfig=WAIT)
    return iid


def _until(fetch, check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if check(value):
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting: last {value}")


def test_create_image_pending_then_available(ec2):
    client = ec2.client(project="p-cimg")
    iid = _run(client)
    ami = client.create_image(InstanceId=iid, Name="my-snap",
                              Description="from ec2",
                              NoReboot=True)["ImageId"]
    assert ami.startswith("ami-")

    def image():
        return client.describe_images(ImageIds=[ami])["Images"][0]
    first = image()
    assert first["Name"] == "my-snap"
    assert first["Description"] == "from ec2"
    assert first["State"] in ("pending", "available")
    _until(image, lambda i: i["State"] == "available")
    # the same image through the OpenStack image API
    sdk = ec2.sdk("demo:p-cimg")
    names = [i.name for i in sdk.image.images()]
    assert "my-snap" in names
    # the new image boots
    booted = _run(client, ImageId=ami)
    shown = client.describe_instances(InstanceIds=[booted])[
        "Reservations"][0]["Instances"][0]
    assert shown["ImageId"] == ami

    # the AWS CLI, and its errors
    out = ec2.aws("create-image", "--instance-id", iid, "--name",
                  "cli-snap", "--no-reboot", project="p-cimg")
    assert json.loads(out.stdout)["ImageId"].startswith("ami-")
    raw = ec2.client(project="p-cimg", parameter_validation=False)
    for args, expected in (
            (dict(InstanceId=iid, Name="x"), "InvalidParameterValue"),
            (dict(InstanceId=iid, Name="x" * 129), "InvalidParameterValue"),
            (dict(InstanceId=iid), "MissingParameter"),
            (dict(InstanceId="i-zz", Name="abc"),
             "InvalidInstanceID.Malformed"),
            (dict(InstanceId="i-0000ffff", Name="abc"),
             "InvalidInstanceID.NotFound")):
        with pytest.raises(ClientError) as err:
            raw.create_image(**args)
        assert code(err) == expected and 400 <= status(err) < 500
    bad = ec2.aws("create-image", "--instance-id", iid, project="p-cimg",
                  check=False)
    assert bad.returncode != 0  # the CLI itself wants --name
    # busy (another snapshot under way) or terminated: IncorrectState
    client.terminate_instances(InstanceIds=[booted])
    client.get_waiter("instance_terminated").wait(InstanceIds=[booted],
                                                  WaiterConfig=WAIT)
    with pytest.raises(ClientError) as err:
        client.create_image(InstanceId=booted, Name="too-late")
    assert code(err) in ("IncorrectInstanceState",
                         "InvalidInstanceID.NotFound")
    other = ec2.client(project="p-cimg-2")
    with pytest.raises(ClientError) as err:
        other.create_image(InstanceId=iid, Name="not-mine")
    assert code(err) == "InvalidInstanceID.NotFound"


def test_describe_instance_attribute(ec2):
    client = ec2.client(project="p-attr")
    sg = client.create_security_group(GroupName="attr-web",
                                      Description="w")["GroupId"]
    data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    iid = _run(client, UserData="#!/bin/sh\necho hi\n",
               SecurityGroupIds=[sg])

    def attr(name):
        return client.describe_instance_attribute(InstanceId=iid,
                                                  Attribute=name)
    assert attr("instanceType")["InstanceType"]["Value"] == "m1.tiny"
    assert attr("userData")["UserData"]["Value"] == data
    assert attr("rootDeviceName")["RootDeviceName"]["Value"] == "/dev/vda"
    assert attr("disableApiTermination")["DisableApiTermination"][
        "Value"] is False
    assert attr("instanceInitiatedShutdownBehavior")[
        "InstanceInitiatedShutdownBehavior"]["Value"] == "stop"
    assert attr("sourceDestCheck")["SourceDestCheck"]["Value"] is True
    assert attr("groupSet")["Groups"] == [{"GroupId": sg,
                                           "GroupName": "attr-web"}]
    assert attr("blockDeviceMapping")["BlockDeviceMappings"] == []
    # the demo image names no kernel nor ramdisk
    assert attr("kernel")["KernelId"] == {}
    assert attr("ramdisk")["RamdiskId"] == {}

    for name in ("productCodes", "ebsOptimized", "bogus"):
        with pytest.raises(ClientError) as err:
            client.describe_instance_attribute(InstanceId=iid,
                                               Attribute=name)
        assert code(err) == "InvalidParameterValue", name
    with pytest.raises(ClientError) as err:
        client.describe_instance_attribute(InstanceId="i-0000ffff",
                                           Attribute="instanceType")
    assert code(err) == "InvalidInstanceID.NotFound"

    out = ec2.aws("describe-instance-attribute", "--instance-id", iid,
                  "--attribute", "instanceType", project="p-attr")
    assert json.loads(out.stdout)["InstanceType"]["Value"] == "m1.tiny"
    bad = ec2.aws("describe-instance-attribute", "--instance-id", iid,
                  "--attribute", "enaSupport", project="p-attr",
                  check=False)
    assert bad.returncode != 0 and "InvalidParameterValue" in bad.stderr


def test_modify_instance_type_and_groups(ec2):
    client = ec2.client(project="p-mod")
    iid = _run(client)
    # running: AWS refuses a type change
    with pytest.raises(ClientError) as err:
        client.modify_instance_attribute(InstanceId=iid,
                                         InstanceType={"Value": "m1.small"})
    assert code(err) == "IncorrectInstanceState" and status(err) < 500
    client.stop_instances(InstanceIds=[iid])
    wait_state(client, iid, "stopped")
    with pytest.raises(ClientError) as err:
        client.modify_instance_attribute(InstanceId=iid,
                                         InstanceType={"Value": "m9.huge"})
    assert code(err) == "InvalidParameterValue"
    client.modify_instance_attribute(InstanceId=iid,
                                     InstanceType={"Value": "m1.small"})
    shown = wait_state(client, iid, "stopped")
    assert shown["InstanceType"] == "m1.small"
    sdk = ec2.sdk("demo:p-mod")
    server = [s for s in sdk.compute.servers()][0]
    small = sdk.compute.find_flavor("m1.small")
    # the same change over the API (2.47: the flavor embedded, by name)
    assert (server.flavor.original_name, server.flavor.vcpus) == \
        (small.name, small.vcpus)
    assert server.status == "SHUTOFF"
    # nimbus cannot shrink a root disk (m1.small 20 GB, m1.tiny 1 GB)
    with pytest.raises(ClientError) as err:
        client.modify_instance_attribute(InstanceId=iid,
                                         InstanceType={"Value": "m1.tiny"})
    assert code(err) == "InvalidParameterValue"
    # the AWS CLI's Attribute/Value form
    ec2.aws("modify-instance-attribute", "--instance-id", iid,
            "--attribute", "instanceType", "--value", "m1.medium",
            project="p-mod")
    assert client.describe_instance_attribute(
        InstanceId=iid, Attribute="instanceType")["InstanceType"][
        "Value"] == "m1.medium"
    assert wait_state(client, iid, "stopped")["InstanceType"] == \
        "m1.medium"
    client.start_instances(InstanceIds=[iid])
    wait_state(client, iid, "running")

    # groupSet: replace the instance's groups
    web = client.create_security_group(GroupName="mod-web",
                                       Description="w")["GroupId"]
    db = client.create_security_group(GroupName="mod-db",
                                      Description="d")["GroupId"]
    client.modify_instance_attribute(InstanceId=iid, Groups=[web, db])
    groups = client.describe_instance_attribute(
        InstanceId=iid, Attribute="groupSet")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["mod-db", "mod-web"]
    client.modify_instance_attribute(InstanceId=iid, Groups=[db])
    groups = client.describe_instance_attribute(
        InstanceId=iid, Attribute="groupSet")["Groups"]
    assert [g["GroupName"] for g in groups] == ["mod-db"]
    with pytest.raises(ClientError) as err:
        client.modify_instance_attribute(InstanceId=iid,
                                         Groups=["sg-0000ffff"])
    assert code(err) == "InvalidGroup.NotFound"

    for args, expected in (
            (dict(SourceDestCheck={"Value": False}), "UnsupportedOperation"),
            (dict(DisableApiTermination={"Value": True}),
             "UnsupportedOperation"),
            (dict(InstanceInitiatedShutdownBehavior={"Value": "terminate"}),
             "UnsupportedOperation"),
            (dict(EnaSupport={"Value": True}), "InvalidParameterValue"),
            (dict(Attribute="bogus", Value="x"), "InvalidParameterValue"),
            (dict(), "MissingParameter")):
        with pytest.raises(ClientError) as err:
            client.modify_instance_attribute(InstanceId=iid, **args)
        assert code(err) == expected, args
        assert 400 <= status(err) < 500
    client.modify_instance_attribute(
        InstanceId=iid, InstanceInitiatedShutdownBehavior={"Value": "stop"})


def _volumes_of(client, iid):
    return client.describe_volumes(Filters=[
        {"Name": "attachment.instance-id", "Values": [iid]}])["Volumes"]


def test_block_device_mapping(ec2):
    client = ec2.client(project="p-bdm")
    vid = client.create_volume(Size=1, AvailabilityZone="nova")["VolumeId"]
    _until(lambda: client.describe_volumes(VolumeIds=[vid])["Volumes"][0][
        "State"], lambda s: s == "available")
    sid = client.create_snapshot(VolumeId=vid)["SnapshotId"]
    _until(lambda: client.describe_snapshots(SnapshotIds=[sid])[
        "Snapshots"][0]["State"], lambda s: s == "completed")

    iid = _run(client, BlockDeviceMappings=[
        {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 2}},
        {"DeviceName": "/dev/sdc", "Ebs": {"SnapshotId": sid,
                                           "DeleteOnTermination": False}}])
    volumes = _until(lambda: _volumes_of(client, iid),
                     lambda v: len(v) == 2 and all(
                         a["State"] == "attached" for x in v
                         for a in x["Attachments"]))
    by_size = sorted(volumes, key=lambda v: v["Size"])
    assert [v["Size"] for v in by_size] == [1, 2]
    assert by_size[0]["SnapshotId"] == sid
    mapping = client.describe_instance_attribute(
        InstanceId=iid, Attribute="blockDeviceMapping")[
        "BlockDeviceMappings"]
    assert [m["DeviceName"] for m in mapping] == ["/dev/vdb", "/dev/vdc"]
    on_delete = {m["Ebs"]["VolumeId"]: m["Ebs"]["DeleteOnTermination"]
                 for m in mapping}
    assert on_delete == {by_size[1]["VolumeId"]: True,
                         by_size[0]["VolumeId"]: False}
    client.terminate_instances(InstanceIds=[iid])
    client.get_waiter("instance_terminated").wait(InstanceIds=[iid],
                                                  WaiterConfig=WAIT)
    # DeleteOnTermination: the blank one goes, the other stays
    kept = by_size[0]["VolumeId"]
    _until(lambda: sorted(v["VolumeId"] for v in
                          client.describe_volumes()["Volumes"]
                          if v["State"] != "deleting"),
           lambda ids: ids == sorted([vid, kept]))
    _until(lambda: client.describe_volumes(VolumeIds=[kept])["Volumes"][0][
        "State"], lambda s: s == "available")

    # root on a volume: boots from a new volume made from the AMI
    root = _run(client, BlockDeviceMappings=[
        {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 1}}])
    volumes = _until(lambda: _volumes_of(client, root),
                     lambda v: len(v) == 1)
    assert volumes[0]["Attachments"][0]["Device"] == "/dev/vda"

    # the AWS CLI
    out = ec2.aws("run-instances", "--image-id", demo_ami(client),
                  "--count", "1", "--instance-type", "m1.tiny",
                  "--block-device-mappings",
                  '[{"DeviceName":"/dev/sdb","Ebs":{"VolumeSize":1}}]',
                  project="p-bdm")
    cli_iid = json.loads(out.stdout)["Instances"][0]["InstanceId"]
    _until(lambda: _volumes_of(client, cli_iid), lambda v: len(v) == 1)

    ami = demo_ami(client)
    for bdms, expected in (
            ([{"Ebs": {"VolumeSize": 1}}], "InvalidBlockDeviceMapping"),
            ([{"DeviceName": "/dev/bogus", "Ebs": {"VolumeSize": 1}}],
             "InvalidBlockDeviceMapping"),
            ([{"DeviceName": "/dev/sdb"}], "InvalidBlockDeviceMapping"),
            ([{"DeviceName": "/dev/sdb", "Ebs": {}}],
             "InvalidBlockDeviceMapping"),
            ([{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 1}},
              {"DeviceName": "sdb", "Ebs": {"VolumeSize": 1}}],
             "InvalidBlockDeviceMapping"),
            ([{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 0}}],
             "InvalidParameterValue"),
            ([{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 1,
                                                 "VolumeType": "gp3"}}],
             "InvalidParameterValue"),
            ([{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
             "InvalidParameterValue"),
            ([{"DeviceName": "/dev/sdb", "Ebs": {"SnapshotId": "snap-zz"}}],
             "InvalidSnapshotID.Malformed"),
            ([{"DeviceName": "/dev/sdb",
               "Ebs": {"SnapshotId": "snap-0000ffff"}}],
             "InvalidSnapshot.NotFound")):
        with pytest.raises(ClientError) as err:
            client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                 BlockDeviceMappings=bdms)
        assert code(err) == expected, bdms
        assert 400 <= status(err) < 500
    # volumes for several instances at once: refused, nothing recorded
    before = len(client.describe_instances()["Reservations"])
    with pytest.raises(ClientError) as err:
        client.run_instances(ImageId=ami, MinCount=2, MaxCount=2,
                             BlockDeviceMappings=[
                                 {"DeviceName": "/dev/sdb",
                                  "Ebs": {"VolumeSize": 1}}])
    assert code(err) == "InvalidBlockDeviceMapping"
    assert len(client.describe_instances()["Reservations"]) == before


def test_volume_being_attached_has_its_attachment(ec2):
    """An attach in progress (the volume reserved for the instance, the
    compute not done yet) is ``in-use`` with an ``attaching``
    attachment; a volume left reserved without one is ``available``."""
    from nimbus.core import context as nimbus_context
    from nimbus.core.db import api as db_api
    from nimbus.core.volume import api as volume_api
    client = ec2.client(project="p-attaching")
    iid = _run(client)
    vid = client.create_volume(Size=1, AvailabilityZone="nova")["VolumeId"]
    _until(lambda: client.describe_volumes(VolumeIds=[vid])["Volumes"][0][
        "State"], lambda s: s == "available")
    ctx = nimbus_context.RequestContext(user_id="demo",
                                        project_id="p-attaching")
    volumes = volume_api.VolumeAPI(ec2.conf, db_api)
    admin = nimbus_context.get_admin_context()
    from nimbus.core.ec2 import ids
    id_api = ids.Ec2IdAPI(ec2.conf, db_api)
    volume_uuid = id_api.uuid(admin, vid, ("vol",))
    instance_uuid = id_api.uuid(admin, iid, ("i",))
    volumes.reserve(ctx, volume_uuid, instance_uuid)
    shown = client.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    assert shown["State"] == "in-use"
    assert [(a["InstanceId"], a["State"]) for a in
            shown["Attachments"]] == [(iid, "attaching")]
    volumes.unreserve(ctx, volume_uuid)
    shown = client.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    assert (shown["State"], shown["Attachments"]) == ("available", [])
