"""The stock AWS CLI, unchanged (``--endpoint-url``, region RegionOne),
through the workflows test_ec2_resources.py's ``test_aws_cli`` leaves to
boto3: stop/start/reboot, key pair import and delete, image register
and deregister, tags, security groups with ingress rules, addresses,
and volumes with snapshots (this module's cloud of its own, so its
address pool is no other test's)."""

import json
import time

from tests.functional.ec2.conftest import demo_ami

PROJECT = "p-awscli"


def _public_key():
    """A fresh key pair's public half in OpenSSH form (what
    import-key-pair sends)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()


def _aws(ec2, *args, check=True):
    out = ec2.aws(*args, project=PROJECT, check=check)
    return json.loads(out.stdout) if check and out.stdout.strip() else out


def _until(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def _state(ec2, iid):
    return _aws(ec2, "describe-instances", "--instance-ids", iid, "--query",
                "Reservations[0].Instances[0].State.Name")


def test_instances_keys_images_and_tags(ec2):
    imported = _aws(ec2, "import-key-pair", "--key-name", "imported",
                    "--public-key-material",
                    _public_key())
    assert imported["KeyName"] == "imported" and imported["KeyFingerprint"]
    ami = demo_ami(ec2.client(project=PROJECT))
    iid = _aws(ec2, "run-instances", "--image-id", ami, "--instance-type",
               "m1.tiny", "--key-name", "imported")["Instances"][0][
        "InstanceId"]
    _until(lambda: _state(ec2, iid) == "running", "running")

    _aws(ec2, "create-tags", "--resources", iid, "--tags",
         "Key=role,Value=cli")
    tags = _aws(ec2, "describe-tags", "--filters",
                f"Name=resource-id,Values={iid}")["Tags"]
    assert [(t["Key"], t["Value"]) for t in tags] == [("role", "cli")]
    _aws(ec2, "delete-tags", "--resources", iid, "--tags", "Key=role")
    assert _aws(ec2, "describe-tags", "--filters",
                f"Name=resource-id,Values={iid}")["Tags"] == []

    stopping = _aws(ec2, "stop-instances", "--instance-ids", iid)
    assert stopping["StoppingInstances"][0]["InstanceId"] == iid
    _until(lambda: _state(ec2, iid) == "stopped", "stopped")
    _aws(ec2, "start-instances", "--instance-ids", iid)
    _until(lambda: _state(ec2, iid) == "running", "running again")
    _aws(ec2, "reboot-instances", "--instance-ids", iid)
    _until(lambda: _state(ec2, iid) == "running", "running, rebooted")

    image = _aws(ec2, "register-image", "--name", "cli-image",
                 "--description", "registered by the AWS CLI")["ImageId"]
    assert image.startswith("ami-")
    mine = _aws(ec2, "describe-images", "--owners", "self")["Images"]
    assert [i["ImageId"] for i in mine] == [image]
    _aws(ec2, "deregister-image", "--image-id", image)
    assert _aws(ec2, "describe-images", "--owners", "self")["Images"] == []

    _aws(ec2, "terminate-instances", "--instance-ids", iid)
    _until(lambda: _state(ec2, iid) == "terminated", "terminated")
    _aws(ec2, "delete-key-pair", "--key-name", "imported")
    assert _aws(ec2, "describe-key-pairs")["KeyPairs"] == []
    refused = _aws(ec2, "delete-key-pair", "--key-name", "", check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr


def test_groups_addresses_volumes_and_snapshots(ec2):
    from nimbus.core import context as nimbus_context
    from nimbus.core.db import api as db_api
    from nimbus.core.network import api as network_api
    gid = _aws(ec2, "create-security-group", "--group-name", "cli-web",
               "--description", "web")["GroupId"]
    _aws(ec2, "authorize-security-group-ingress", "--group-id", gid,
         "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0")
    (group,) = _aws(ec2, "describe-security-groups", "--group-ids",
                    gid)["SecurityGroups"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"])
            for p in group["IpPermissions"]] == [("tcp", 80, 80)]
    _aws(ec2, "revoke-security-group-ingress", "--group-id", gid,
         "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0")

    network_api.NetworkAPI(ec2.conf, db_api).create_network(
        nimbus_context.get_admin_context(), "ec2-cli-public",
        "172.24.62.0/29", external=True, gateway=False)
    ami = demo_ami(ec2.client(project=PROJECT))
    iid = _aws(ec2, "run-instances", "--image-id", ami, "--instance-type",
               "m1.tiny", "--security-group-ids", gid)["Instances"][0][
        "InstanceId"]
    _until(lambda: _state(ec2, iid) == "running", "running")
    address = _aws(ec2, "allocate-address")
    assoc = _aws(ec2, "associate-address", "--instance-id", iid,
                 "--allocation-id", address["AllocationId"])
    shown = _aws(ec2, "describe-addresses", "--public-ips",
                 address["PublicIp"])["Addresses"][0]
    assert shown["InstanceId"] == iid
    _aws(ec2, "disassociate-address", "--association-id",
         assoc["AssociationId"])
    _aws(ec2, "release-address", "--allocation-id", address["AllocationId"])
    assert _aws(ec2, "describe-addresses")["Addresses"] == []

    vid = _aws(ec2, "create-volume", "--size", "1", "--availability-zone",
               "nova")["VolumeId"]

    def volume(field="State"):
        return _aws(ec2, "describe-volumes", "--volume-ids", vid)[
            "Volumes"][0][field]
    _until(lambda: volume() == "available", "volume available")
    _aws(ec2, "attach-volume", "--volume-id", vid, "--instance-id", iid,
         "--device", "/dev/vdb")
    _until(lambda: volume() == "in-use", "volume in use")
    assert volume("Attachments")[0]["InstanceId"] == iid
    _aws(ec2, "detach-volume", "--volume-id", vid)
    _until(lambda: volume() == "available", "volume detached")
    snap = _aws(ec2, "create-snapshot", "--volume-id", vid)["SnapshotId"]
    _until(lambda: _aws(ec2, "describe-snapshots", "--snapshot-ids",
                             snap)["Snapshots"][0]["State"] == "completed",
           "snapshot completed")
    _aws(ec2, "delete-snapshot", "--snapshot-id", snap)
    _until(lambda: _aws(ec2, "describe-snapshots", "--owner-ids",
                             "self")["Snapshots"] == [], "snapshot gone")
    _aws(ec2, "delete-volume", "--volume-id", vid)
    _until(lambda: _aws(ec2, "describe-volumes")["Volumes"] == [],
           "volume gone")

    _aws(ec2, "terminate-instances", "--instance-ids", iid)
    _until(lambda: _state(ec2, iid) == "terminated", "terminated")
    _until(lambda: _aws(ec2, "delete-security-group", "--group-id",
                             gid, check=False).returncode == 0,
           "group free to delete")
    groups = _aws(ec2, "describe-security-groups")["SecurityGroups"]
    assert gid not in [g["GroupId"] for g in groups]
