"""One real QEMU guest driven over EC2: nimbus-all (libvirt, qemu) with
the EC2 API on a free port, boto3 with the admin keys nimbus-all wrote
to its aws-config: RunInstances with a key pair -> running -> console
output -> tags -> reboot -> stop -> start -> terminate -> terminated,
each checked against the libvirt domain (volumes, security groups and
addresses over EC2 are tested on the guests of test_volumes.py and
test_network_e2e.py)."""

import configparser
import os
import shutil

import boto3
import pytest
from botocore.config import Config

from tests.integration.libvirt import test_api
from tests.integration.procs import wait_until

pytestmark = pytest.mark.real


@pytest.fixture
def ec2_nimbus(libvirt_env):
    deployment = test_api.Nimbus(libvirt_env)
    deployment.start()
    try:
        yield deployment
    finally:
        deployment.stop()
        for name in libvirt_env.own_domains():
            if name.startswith(deployment.prefix):
                libvirt_env.virsh("destroy", name, check=False)
                libvirt_env.virsh("undefine", name, "--managed-save",
                                  check=False)
        shutil.rmtree(deployment.dir, ignore_errors=True)


def _client(deployment):
    path = os.path.join(deployment.dir, "state", "aws-config")
    wait_until(lambda: os.path.exists(path), 30, message="aws-config")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    profile = configparser.ConfigParser()
    profile.read(path)
    section = profile["profile nimbus"]
    return boto3.client(
        "ec2", endpoint_url=section["endpoint_url"],
        region_name=section["region"],
        aws_access_key_id=section["aws_access_key_id"],
        aws_secret_access_key=section["aws_secret_access_key"],
        config=Config(retries={"max_attempts": 2}))


def test_run_console_terminate_real_guest(ec2_nimbus):
    image = ec2_nimbus.register_guest_images()
    ec2_nimbus.sdk().compute.create_flavor(name="lv.small", ram=160,
                                           vcpus=1, disk=1, id="lv-small")
    client = _client(ec2_nimbus)
    images = {i["Name"]: i for i in client.describe_images()["Images"]}
    ami = images["test-guest"]["ImageId"]
    assert ami.startswith("ami-")
    assert images["test-kernel"]["ImageId"].startswith("aki-")
    client.create_key_pair(KeyName="guest-key")
    iid = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                               InstanceType="lv.small", KeyName="guest-key")[
        "Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 180})
    server_id = [s.id for s in ec2_nimbus.sdk().compute.servers()][0]
    assert image  # the guest image nimbus booted
    assert ec2_nimbus.domstate(server_id) == "running"

    def booted(times=1):
        out = client.get_console_output(InstanceId=iid).get("Output", "")
        return out.count("NIMBUS-GUEST-BOOTED") >= times
    wait_until(booted, 180, interval=1, message="guest console over EC2")

    client.create_tags(Resources=[iid],
                       Tags=[{"Key": "role", "Value": "real-guest"}])
    (shown,) = client.describe_instances(
        Filters=[{"Name": "tag:role", "Values": ["real-guest"]}])[
        "Reservations"][0]["Instances"]
    assert (shown["InstanceId"], shown["KeyName"]) == (iid, "guest-key")

    # The guest boots a second time, in the same domain.
    client.reboot_instances(InstanceIds=[iid])
    wait_until(lambda: booted(2), 240, interval=1,
               message="the guest booted again after RebootInstances")
    assert ec2_nimbus.domstate(server_id) == "running"

    client.stop_instances(InstanceIds=[iid])
    client.get_waiter("instance_stopped").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 180})
    assert ec2_nimbus.domstate(server_id) == "shut off"
    client.start_instances(InstanceIds=[iid])
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 180})
    assert ec2_nimbus.domstate(server_id) == "running"

    client.terminate_instances(InstanceIds=[iid])
    client.get_waiter("instance_terminated").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 180})
    names = ec2_nimbus.env.own_domains()
    assert f"{ec2_nimbus.prefix}{server_id}" not in names
