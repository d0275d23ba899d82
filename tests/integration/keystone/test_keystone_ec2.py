"""EC2 behind a real Keystone: credentials made with the stock
``openstack ec2 credentials create`` at Keystone, requests signed by
boto3 and checked by Keystone's ``/v3/ec2tokens``."""

import configparser
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

pytestmark = pytest.mark.real


def _client(cloud, access, secret):
    conf = configparser.ConfigParser()
    conf.read(cloud.clouds_file.parent / "nimbus.conf")
    port = conf["ec2"]["bind_port"]
    return boto3.client(
        "ec2", endpoint_url=f"http://127.0.0.1:{port}",
        region_name="RegionOne", aws_access_key_id=access,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}))


def _credentials(cloud, who):
    made = json.loads(cloud.openstack(who, "ec2", "credentials", "create",
                                      "-f", "json").stdout)
    return made["access"], made["secret"]


def test_boto3_signed_requests_checked_by_keystone(keystone_cloud):
    cloud = keystone_cloud
    access, secret = _credentials(cloud, "demo")
    client = _client(cloud, access, secret)
    ami = client.describe_images(Filters=[{"Name": "name",
                                           "Values": ["demo"]}])[
        "Images"][0]["ImageId"]
    iid = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                               InstanceType="m1.tiny")[
        "Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.5, "MaxAttempts": 120})
    # the same server, in the demo project Keystone named
    names = [s.name for s in cloud.sdk("demo").compute.servers()]
    assert "ec2-instance" in names

    other = _client(cloud, *_credentials(cloud, "other"))
    assert other.describe_instances()["Reservations"] == []

    with pytest.raises(ClientError) as err:
        _client(cloud, access, "wrong-secret").describe_instances()
    assert err.value.response["Error"]["Code"] in (
        "SignatureDoesNotMatch", "AuthFailure")
    with pytest.raises(ClientError) as err:
        _client(cloud, "unknown-access", secret).describe_instances()
    assert err.value.response["Error"]["Code"] == "AuthFailure"

    client.terminate_instances(InstanceIds=[iid])
    client.get_waiter("instance_terminated").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.5, "MaxAttempts": 120})
