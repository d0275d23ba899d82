"""Security groups and addresses (the network service) and volumes and
snapshots (the volume service) over EC2 with boto3."""

import pytest
import requests
from botocore.exceptions import ClientError

from tests.functional.ec2.conftest import demo_ami


def code(err):
    return err.value.response["Error"]["Code"]


def test_security_groups_with_ingress_rules(ec2):
    client = ec2.client(project="p-sg")
    made = client.create_security_group(GroupName="web",
                                        Description="web servers")
    gid = made["GroupId"]
    assert gid.startswith("sg-")
    with pytest.raises(ClientError) as err:
        client.create_security_group(GroupName="web", Description="again")
    assert code(err) == "InvalidGroup.Duplicate"

    client.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    client.authorize_security_group_ingress(
        GroupName="web", IpProtocol="tcp", FromPort=80, ToPort=80,
        CidrIp="0.0.0.0/0")
    with pytest.raises(ClientError) as err:
        client.authorize_security_group_ingress(
            GroupId=gid, IpProtocol="tcp", FromPort=80, ToPort=80,
            CidrIp="0.0.0.0/0")
    assert code(err) == "InvalidPermission.Duplicate"

    groups = client.describe_security_groups(GroupIds=[gid])[
        "SecurityGroups"]
    perms = groups[0]["IpPermissions"]
    assert sorted((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"),
                   p["IpRanges"][0]["CidrIp"]) for p in perms) == [
        ("icmp", -1, -1, "0.0.0.0/0"), ("tcp", 22, 22, "10.0.0.0/8"),
        ("tcp", 80, 80, "0.0.0.0/0")]
    names = [g["GroupName"] for g in
             client.describe_security_groups()["SecurityGroups"]]
    assert sorted(names) == ["default", "web"]
    # the same group through the Networking API
    listed = requests.get(ec2.url + "/network/v2.0/security-groups",
                          headers={"X-Auth-Token": "demo:p-sg"},
                          timeout=30).json()["security_groups"]
    web = [g for g in listed if g["name"] == "web"][0]
    assert len([r for r in web["security_group_rules"]
                if r["direction"] == "ingress"]) == 3

    client.revoke_security_group_ingress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22,
                                     "ToPort": 22, "IpRanges": [
                                         {"CidrIp": "10.0.0.0/8"}]}])
    with pytest.raises(ClientError) as err:
        client.revoke_security_group_ingress(
            GroupId=gid, IpProtocol="tcp", FromPort=22, ToPort=22,
            CidrIp="10.0.0.0/8")
    assert code(err) == "InvalidPermission.NotFound"

    made = client.run_instances(ImageId=demo_ami(client), MinCount=1,
                                MaxCount=1, SecurityGroups=["web"])
    iid = made["Instances"][0]["InstanceId"]
    # The requested groups show from the start (before the network
    # records them with the server's ports, at build time).
    assert [g["GroupName"] for g in made["Groups"]] == ["web"]
    assert [g["GroupName"] for g in
            made["Instances"][0]["SecurityGroups"]] == ["web"]
    early = client.describe_instances(InstanceIds=[iid])["Reservations"][0]
    assert [g["GroupName"] for g in early["Groups"]] == ["web"]
    assert [g["GroupName"] for g in
            early["Instances"][0]["SecurityGroups"]] == ["web"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    shown = client.describe_instances(InstanceIds=[iid])[
        "Reservations"][0]["Instances"][0]
    assert [g["GroupName"] for g in shown["SecurityGroups"]] == ["web"]
    with pytest.raises(ClientError) as err:
        client.run_instances(ImageId=demo_ami(client), MinCount=1,
                             MaxCount=1, SecurityGroups=["nope"])
    assert code(err) == "InvalidParameterValue"

    other = ec2.client(project="p-sg-2")
    with pytest.raises(ClientError) as err:
        other.describe_security_groups(GroupIds=[gid])
    assert code(err) == "InvalidGroup.NotFound"
    with pytest.raises(ClientError) as err:
        client.describe_security_groups(GroupIds=["sg-zz"])
    assert code(err) == "InvalidGroupId.Malformed"

    client.terminate_instances(InstanceIds=[iid])
    client.get_waiter("instance_terminated").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    client.delete_security_group(GroupId=gid)
    with pytest.raises(ClientError) as err:
        client.delete_security_group(GroupName="web")
    assert code(err) == "InvalidGroup.NotFound"


def _wait(fetch, want, timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value == want:
            return
        time.sleep(0.2)
    raise AssertionError(f"{value} is not {want}")


def test_volumes_snapshots_attach_detach(ec2):
    client = ec2.client(project="p-vol")

    def vol_state(vid):
        return client.describe_volumes(VolumeIds=[vid])["Volumes"][0][
            "State"]
    vid = client.create_volume(Size=1, AvailabilityZone="nova")["VolumeId"]
    assert vid.startswith("vol-")
    _wait(lambda: vol_state(vid), "available")
    snap = client.create_snapshot(VolumeId=vid, Description="s1")
    sid = snap["SnapshotId"]
    assert sid.startswith("snap-") and snap["VolumeId"] == vid
    _wait(lambda: client.describe_snapshots(SnapshotIds=[sid])[
        "Snapshots"][0]["State"], "completed")
    from_snap = client.create_volume(SnapshotId=sid,
                                     AvailabilityZone="nova")["VolumeId"]
    _wait(lambda: vol_state(from_snap), "available")
    shown = client.describe_volumes(VolumeIds=[from_snap])["Volumes"][0]
    assert shown["SnapshotId"] == sid and shown["Size"] == 1

    iid = client.run_instances(ImageId=demo_ami(client), MinCount=1,
                               MaxCount=1)["Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    client.attach_volume(VolumeId=vid, InstanceId=iid, Device="/dev/vdb")
    seen = []

    def attach_state():
        volume = client.describe_volumes(VolumeIds=[vid])["Volumes"][0]
        states = [a["State"] for a in volume["Attachments"]]
        seen.append((volume["State"], states))
        return volume["State"], states
    _wait(attach_state, ("in-use", ["attached"]))
    # As on AWS: "in-use" always with its attachment ("attaching" while
    # it is made), never an in-use volume without one.
    for state, states in seen:
        assert (state, states) in (("available", []),
                                   ("in-use", ["attaching"]),
                                   ("in-use", ["attached"])), seen
    attached = client.describe_volumes(Filters=[
        {"Name": "attachment.instance-id", "Values": [iid]}])["Volumes"]
    assert [v["VolumeId"] for v in attached] == [vid]
    assert attached[0]["Attachments"][0]["Device"] == "/dev/vdb"
    with pytest.raises(ClientError) as err:
        client.delete_volume(VolumeId=vid)
    assert code(err) in ("IncorrectState", "VolumeInUse")
    client.detach_volume(VolumeId=vid)
    _wait(lambda: vol_state(vid), "available")

    other = ec2.client(project="p-vol-2")
    assert other.describe_volumes()["Volumes"] == []
    assert other.describe_snapshots()["Snapshots"] == []
    with pytest.raises(ClientError) as err:
        other.describe_volumes(VolumeIds=[vid])
    assert code(err) == "InvalidVolume.NotFound"
    with pytest.raises(ClientError) as err:
        client.describe_volumes(VolumeIds=["vol-x"])
    assert code(err) == "InvalidVolumeID.Malformed"

    client.delete_volume(VolumeId=from_snap)
    _wait(lambda: len(client.describe_volumes(
        Filters=[{"Name": "volume-id", "Values": [from_snap]}])[
        "Volumes"]), 0)
    client.delete_snapshot(SnapshotId=sid)
    _wait(lambda: client.describe_snapshots()["Snapshots"], [])
    client.delete_volume(VolumeId=vid)


def test_addresses_allocate_associate_release(ec2):
    from nimbus.core import context as nimbus_context
    from nimbus.core.db import api as db_api
    from nimbus.core.network import api as network_api
    client = ec2.client(project="p-eip")
    with pytest.raises(ClientError) as err:
        client.allocate_address()
    assert code(err) == "AddressLimitExceeded"  # no pool yet
    network_api.NetworkAPI(ec2.conf, db_api).create_network(
        nimbus_context.get_admin_context(), "ec2-public", "172.24.61.0/29",
        external=True, gateway=False)

    made = client.allocate_address()
    ip, alloc = made["PublicIp"], made["AllocationId"]
    assert ip.startswith("172.24.61.") and alloc.startswith("eipalloc-")
    listed = client.describe_addresses()["Addresses"]
    assert [(a["PublicIp"], a["AllocationId"]) for a in listed] == \
        [(ip, alloc)]
    iid = client.run_instances(ImageId=demo_ami(client), MinCount=1,
                               MaxCount=1)["Instances"][0]["InstanceId"]
    client.get_waiter("instance_running").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    assoc = client.associate_address(InstanceId=iid, PublicIp=ip)
    assert assoc["AssociationId"].startswith("eipassoc-")
    shown = client.describe_addresses(PublicIps=[ip])["Addresses"][0]
    assert shown["InstanceId"] == iid and shown["PrivateIpAddress"]
    instance = client.describe_instances(InstanceIds=[iid])[
        "Reservations"][0]["Instances"][0]
    assert instance["PublicIpAddress"] == ip
    by_instance = client.describe_addresses(Filters=[
        {"Name": "instance-id", "Values": [iid]}])["Addresses"]
    assert [a["PublicIp"] for a in by_instance] == [ip]

    other = ec2.client(project="p-eip-2")
    assert other.describe_addresses()["Addresses"] == []
    with pytest.raises(ClientError) as err:
        other.release_address(AllocationId=alloc)
    assert code(err) == "InvalidAllocationID.NotFound"

    client.disassociate_address(AssociationId=assoc["AssociationId"])
    assert client.describe_addresses()["Addresses"][0]["InstanceId"] == ""
    client.release_address(AllocationId=alloc)
    assert client.describe_addresses()["Addresses"] == []
    with pytest.raises(ClientError) as err:
        client.release_address(PublicIp=ip)
    assert code(err) == "InvalidAddress.NotFound"
