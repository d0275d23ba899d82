"""OS-EC2 credentials through the stock ``openstack ec2 credentials``
commands (nimbus's own identity), then used by boto3 against the EC2
dialect: roles and projects as in the OpenStack API."""

import json
import os
import stat

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture
def ec2_enabled(nimbus_conf):
    from tests.conftest import free_port
    nimbus_conf.set_override(
        "enabled_dialects", nimbus_conf.api.enabled_dialects + ["ec2"],
        "api")
    nimbus_conf.set_override("bind_port", free_port(), "ec2")


def _client(cloud, cred):
    from nimbus.cli.daemons import all as all_daemon
    port = all_daemon.ec2_port(cloud.stack.started[0])
    return boto3.client(
        "ec2", endpoint_url=f"http://127.0.0.1:{port}",
        region_name="RegionOne", aws_access_key_id=cred["access"],
        aws_secret_access_key=cred["secret"],
        config=Config(retries={"max_attempts": 1}))


def _create(cloud, who):
    out = cloud.openstack(who, "ec2", "credentials", "create", "-f",
                          "json").stdout
    return {k.lower().replace(" ", "_"): v for k, v in
            json.loads(out).items()}


def test_openstack_ec2_credentials_then_boto3(ec2_enabled, cloud):
    member = _create(cloud, "member")
    assert member["project_id"] == cloud.project_ids["demo"]
    listed = json.loads(cloud.openstack(
        "member", "ec2", "credentials", "list", "-f", "json").stdout)
    assert [(c["Access"], c["Project ID"]) for c in listed] == \
        [(member["access"], cloud.project_ids["demo"])]
    shown = json.loads(cloud.openstack(
        "member", "ec2", "credentials", "show", member["access"], "-f",
        "json").stdout)
    assert shown["secret"] == member["secret"]

    # the secret is not stored in the clear
    from sqlalchemy import text

    from nimbus.core.db import engine
    with engine.get_engine().connect() as db:
        stored = db.execute(text(
            "SELECT secret_encrypted FROM ec2_credentials")).scalars().all()
    assert stored and all(member["secret"] not in s for s in stored)

    client = _client(cloud, member)
    ami = client.describe_images(Filters=[{"Name": "name",
                                           "Values": ["demo"]}])[
        "Images"][0]["ImageId"]
    iid = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                               InstanceType="m1.tiny")[
        "Instances"][0]["InstanceId"]
    servers = list(cloud.sdk("member").compute.servers())
    assert len(servers) == 1 and servers[0].name == "ec2-instance"

    reader = _client(cloud, _create(cloud, "reader"))
    found = reader.describe_instances()["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [iid]
    with pytest.raises(ClientError) as err:
        reader.run_instances(ImageId=ami, MinCount=1, MaxCount=1)
    assert err.value.response["Error"]["Code"] == "UnauthorizedOperation"
    with pytest.raises(ClientError) as err:
        reader.terminate_instances(InstanceIds=[iid])
    assert err.value.response["Error"]["Code"] == "UnauthorizedOperation"

    other = _client(cloud, _create(cloud, "other"))
    assert other.describe_instances()["Reservations"] == []
    assert other.describe_key_pairs()["KeyPairs"] == []

    cloud.openstack("member", "ec2", "credentials", "delete",
                    member["access"])
    with pytest.raises(ClientError) as err:
        client.describe_instances()
    assert err.value.response["Error"]["Code"] == "AuthFailure"
    gone = cloud.openstack("member", "ec2", "credentials", "show",
                           member["access"], check=False)
    assert gone.returncode != 0 and "Traceback" not in gone.stderr
    # another user's credentials are not theirs to see
    theirs = cloud.openstack("other", "ec2", "credentials", "list",
                             "--user", "member", check=False)
    assert theirs.returncode != 0


def test_nimbus_all_writes_admin_aws_config(ec2_enabled, cloud):
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.core.db import api as db_api
    port = all_daemon.ec2_port(cloud.stack.started[0])
    url = f"http://127.0.0.1:{port}"
    path = all_daemon.write_aws_config(cloud.stack.conf, db_api, url)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = open(path).read()
    all_daemon.write_aws_config(cloud.stack.conf, db_api, url)
    assert open(path).read() == again  # the same key, not a new one
    os.environ["AWS_CONFIG_FILE"] = path
    try:
        session = boto3.Session(profile_name="nimbus")
        client = session.client("ec2")
        assert client.meta.region_name == "RegionOne"
        attrs = client.describe_account_attributes()["AccountAttributes"]
        assert {a["AttributeName"] for a in attrs} >= {"default-vpc"}
    finally:
        del os.environ["AWS_CONFIG_FILE"]
