"""DescribeVolumes and DescribeSnapshots paging with boto3: MaxResults
and NextToken walk every volume once in id order, and a volume deleted
between two pages shifts nothing (keyset paging, not offsets)."""

import pytest
from botocore.exceptions import ClientError

PROJECT = "p-volume-pages"
FAST = {"Delay": 0.2, "MaxAttempts": 100}


def _walk(call, key, size, **kwargs):
    seen, token = [], None
    for _ in range(50):
        extra = {"NextToken": token} if token else {}
        page = call(MaxResults=size, **kwargs, **extra)
        seen += [item[key] for item in page[key.replace("Id", "s")]]
        token = page.get("NextToken")
        if not token:
            return seen
    raise AssertionError("paging did not end")


def test_volume_pages_are_keyset(ec2):
    client = ec2.client(project=PROJECT)
    made = [client.create_volume(Size=1, AvailabilityZone="nova")
            ["VolumeId"] for _ in range(7)]
    client.get_waiter("volume_available").wait(VolumeIds=made,
                                               WaiterConfig=FAST)
    everything = [v["VolumeId"]
                  for v in client.describe_volumes()["Volumes"]]
    assert everything == sorted(made)
    # every volume but the one deleted below (snapshots keep a volume)
    snaps = [client.create_snapshot(VolumeId=v)["SnapshotId"]
             for v in everything if v != everything[1]]
    try:
        assert _walk(client.describe_volumes, "VolumeId", 5) == everything
        assert _walk(client.describe_snapshots, "SnapshotId", 5) == \
            sorted(snaps)
        pages = client.get_paginator("describe_volumes").paginate(
            PaginationConfig={"PageSize": 5})
        assert [v["VolumeId"] for p in pages for v in p["Volumes"]] == \
            everything

        first = client.describe_volumes(MaxResults=5)
        assert [v["VolumeId"] for v in first["Volumes"]] == everything[:5]
        client.delete_volume(VolumeId=everything[1])
        rest = client.describe_volumes(MaxResults=5,
                                       NextToken=first["NextToken"])
        # an offset would have skipped everything[5]
        assert [v["VolumeId"] for v in rest["Volumes"]] == everything[5:]
        assert "NextToken" not in rest
        with pytest.raises(ClientError) as err:
            client.describe_volumes(MaxResults=5, NextToken="5")
        assert err.value.response["Error"]["Code"] == \
            "InvalidParameterValue"
    finally:
        for snap in snaps:
            try:
                client.delete_snapshot(SnapshotId=snap)
            except ClientError:
                pass
