"""Key pairs, images, tags, regions, zones and account attributes over
EC2, with boto3 and with the stock AWS CLI."""

import json

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.functional.ec2.conftest import demo_ami


def code(err):
    return err.value.response["Error"]["Code"]


def public_key():
    key = ed25519.Ed25519PrivateKey.generate()
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH)


def test_key_pairs(ec2):
    client = ec2.client(user="kuser", project="p-keys")
    made = client.create_key_pair(KeyName="k1")
    assert made["KeyName"] == "k1"
    assert "PRIVATE KEY" in made["KeyMaterial"]
    assert made["KeyFingerprint"]
    with pytest.raises(ClientError) as err:
        client.create_key_pair(KeyName="k1")
    assert code(err) == "InvalidKeyPair.Duplicate"

    imported = client.import_key_pair(KeyName="k2",
                                      PublicKeyMaterial=public_key())
    assert imported["KeyName"] == "k2"
    with pytest.raises(ClientError) as err:
        client.import_key_pair(KeyName="k3", PublicKeyMaterial=b"not a key")
    assert code(err) == "InvalidKeyPair.Format"

    names = [k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]]
    assert names == ["k1", "k2"]
    only = client.describe_key_pairs(
        Filters=[{"Name": "key-name", "Values": ["k2"]}])["KeyPairs"]
    assert [k["KeyName"] for k in only] == ["k2"]
    with pytest.raises(ClientError) as err:
        client.describe_key_pairs(KeyNames=["nope"])
    assert code(err) == "InvalidKeyPair.NotFound"

    # the same key pairs over the OpenStack API
    sdk = ec2.sdk("kuser:p-keys")
    assert sorted(k.name for k in sdk.compute.keypairs()) == ["k1", "k2"]

    client.delete_key_pair(KeyName="k1")
    client.delete_key_pair(KeyName="k1")  # idempotent, as on AWS
    names = [k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]]
    assert names == ["k2"]
    other = ec2.client(user="someone", project="p-keys2")
    assert other.describe_key_pairs()["KeyPairs"] == []


def test_images_register_describe_deregister(ec2):
    client = ec2.client(project="p-images")
    ami = demo_ami(client)
    image = client.describe_images(ImageIds=[ami])["Images"][0]
    assert image["State"] == "available" and image["Public"] is True
    assert image["ImageType"] == "machine"
    assert ami == demo_ami(client)  # stable

    new = client.register_image(Name="mine", Description="test image")
    new_id = new["ImageId"]
    assert new_id.startswith("ami-")
    shown = client.describe_images(ImageIds=[new_id])["Images"][0]
    assert shown["Name"] == "mine" and shown["State"] == "pending"
    assert shown["Public"] is False and shown["OwnerId"] == "p-images"
    mine = client.describe_images(Owners=["self"])["Images"]
    assert [i["ImageId"] for i in mine] == [new_id]
    public = client.describe_images(
        Filters=[{"Name": "is-public", "Values": ["true"]}])["Images"]
    assert ami in [i["ImageId"] for i in public]
    attr = client.describe_image_attribute(ImageId=ami,
                                           Attribute="launchPermission")
    assert attr["LaunchPermissions"] == [{"Group": "all"}]

    other = ec2.client(project="p-images-2")
    assert new_id not in [i["ImageId"]
                          for i in other.describe_images()["Images"]]
    with pytest.raises(ClientError) as err:
        other.describe_images(ImageIds=[new_id])
    assert code(err) == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as err:
        other.deregister_image(ImageId=ami)
    assert code(err) in ("AuthFailure", "UnauthorizedOperation")

    client.deregister_image(ImageId=new_id)
    with pytest.raises(ClientError) as err:
        client.describe_images(ImageIds=[new_id])
    assert code(err) == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as err:
        client.describe_images(ImageIds=["ami-xyz"])
    assert code(err) == "InvalidAMIID.Malformed"


def test_tags(ec2):
    client = ec2.client(project="p-tags")
    iid = client.run_instances(ImageId=demo_ami(client), MinCount=1,
                               MaxCount=1)["Instances"][0]["InstanceId"]
    client.create_tags(Resources=[iid], Tags=[
        {"Key": "Name", "Value": "web"}, {"Key": "env", "Value": "test"}])
    tags = client.describe_tags()["Tags"]
    assert sorted((t["Key"], t["Value"], t["ResourceType"]) for t in tags) \
        == [("Name", "web", "instance"), ("env", "test", "instance")]
    only = client.describe_tags(Filters=[{"Name": "key",
                                          "Values": ["env"]}])["Tags"]
    assert [t["ResourceId"] for t in only] == [iid]
    client.delete_tags(Resources=[iid], Tags=[{"Key": "env"}])
    assert [t["Key"] for t in client.describe_tags()["Tags"]] == ["Name"]
    with pytest.raises(ClientError) as err:
        client.create_tags(Resources=[iid],
                           Tags=[{"Key": "aws:x", "Value": "y"}])
    assert code(err) == "InvalidParameterValue"
    assert ec2.client(project="p-tags-2").describe_tags()["Tags"] == []


def test_regions_zones_account_attributes(ec2):
    client = ec2.client(project="p-misc")
    regions = client.describe_regions()["Regions"]
    assert [r["RegionName"] for r in regions] == ["RegionOne"]
    zones = client.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["nova"]
    assert zones[0]["State"] == "available"
    attrs = {a["AttributeName"]: [v["AttributeValue"]
                                  for v in a["AttributeValues"]]
             for a in client.describe_account_attributes()[
                 "AccountAttributes"]}
    assert attrs["supported-platforms"] == ["EC2"]
    assert attrs["default-vpc"] == ["none"]
    assert int(attrs["max-instances"][0]) > 0
    one = client.describe_account_attributes(
        AttributeNames=["default-vpc"])["AccountAttributes"]
    assert [a["AttributeName"] for a in one] == ["default-vpc"]


def test_aws_cli(ec2):
    """The stock AWS CLI, unchanged, with --endpoint-url."""
    out = json.loads(ec2.aws("describe-images", "--filters",
                             "Name=name,Values=demo",
                             project="p-cli").stdout)
    ami = out["Images"][0]["ImageId"]
    json.loads(ec2.aws("create-key-pair", "--key-name", "cli",
                       project="p-cli").stdout)
    run = json.loads(ec2.aws(
        "run-instances", "--image-id", ami, "--count", "2",
        "--instance-type", "m1.tiny", "--key-name", "cli",
        "--user-data", "echo hi", project="p-cli").stdout)
    ids = [i["InstanceId"] for i in run["Instances"]]
    assert len(ids) == 2
    # boto3's waiter polls fast; the CLI's (15 s between polls) then
    # answers at its first poll
    fast = {"Delay": 0.2, "MaxAttempts": 100}
    client = ec2.client(project="p-cli")
    client.get_waiter("instance_running").wait(InstanceIds=ids,
                                               WaiterConfig=fast)
    ec2.aws("wait", "instance-running", "--instance-ids", *ids,
            project="p-cli")
    listed = json.loads(ec2.aws(
        "describe-instances", "--filters",
        "Name=instance-state-name,Values=running",
        "--query", "Reservations[].Instances[].InstanceId",
        project="p-cli").stdout)
    assert sorted(listed) == sorted(ids)
    console = json.loads(ec2.aws("get-console-output", "--instance-id",
                                 ids[0], project="p-cli").stdout)
    assert console["InstanceId"] == ids[0]
    ec2.aws("terminate-instances", "--instance-ids", *ids,
            project="p-cli")
    client.get_waiter("instance_terminated").wait(InstanceIds=ids,
                                                  WaiterConfig=fast)
    ec2.aws("wait", "instance-terminated", "--instance-ids", *ids,
            project="p-cli")
    failed = ec2.aws("describe-instances", "--instance-ids", "i-nope",
                     project="p-cli", check=False)
    assert failed.returncode != 0
    assert "InvalidInstanceID.Malformed" in failed.stderr
    assert "Traceback" not in failed.stderr
