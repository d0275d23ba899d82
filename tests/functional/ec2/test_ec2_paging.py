"""DescribeInstances paging with boto3 and the AWS CLI (unchanged):
MaxResults + NextToken walk every instance exactly once, in a stable
order, with and without filters; bad tokens are EC2 errors."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from nimbus.api.ec2.actions import paging
from tests.functional.ec2.conftest import demo_ami

FAST = {"Delay": 0.2, "MaxAttempts": 150}
PROJECT = "p-pages"


def ids_of(answer):
    return [i["InstanceId"] for r in answer["Reservations"]
            for i in r["Instances"]]


def walk(client, size, **kwargs):
    """Every page by hand: ``(ids in order, page lengths)``."""
    seen, lengths, token = [], [], None
    for _ in range(100):
        extra = {"NextToken": token} if token else {}
        page = client.describe_instances(MaxResults=size, **kwargs,
                                         **extra)
        seen += ids_of(page)
        lengths.append(len(ids_of(page)))
        token = page.get("NextToken")
        if not token:
            return seen, lengths
    raise AssertionError("paging did not end")


@pytest.fixture(scope="module")
def fleet(ec2_cloud):
    """13 running instances in three reservations (every other one
    tagged role=web, one m1.small) and one terminated instance."""
    cloud = ec2_cloud
    cloud.conf.set_override("instances", 40, "quota")
    try:
        client = cloud.client(project=PROJECT)
        ami = demo_ami(client)
        made = []
        for count, flavor in ((7, "m1.tiny"), (5, "m1.tiny"),
                              (1, "m1.small")):
            made += [i["InstanceId"] for i in client.run_instances(
                ImageId=ami, MinCount=count, MaxCount=count,
                InstanceType=flavor)["Instances"]]
        gone = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny")
        gone_id = gone["Instances"][0]["InstanceId"]
        client.get_waiter("instance_running").wait(
            InstanceIds=made + [gone_id], WaiterConfig=FAST)
        client.terminate_instances(InstanceIds=[gone_id])
        client.get_waiter("instance_terminated").wait(
            InstanceIds=[gone_id], WaiterConfig=FAST)
        web = made[::2]
        client.create_tags(Resources=web,
                           Tags=[{"Key": "role", "Value": "web"}])
        yield {"client": client, "running": made, "web": web,
               "small": made[-1], "gone": gone_id, "ami": ami}
    finally:
        cloud.conf.clear_override("instances", "quota")


def test_pages_walk_every_instance_once_in_a_stable_order(fleet):
    client = fleet["client"]
    everything = ids_of(client.describe_instances())
    assert sorted(everything) == sorted(fleet["running"] + [fleet["gone"]])
    seen, lengths = walk(client, 5)
    assert seen == everything  # each once, in the unpaged order
    assert lengths == [5, 5, 4]
    assert walk(client, 5)[0] == seen  # the same order again
    assert walk(client, 7) == (everything, [7, 7])  # no empty last page
    pages = client.get_paginator("describe_instances").paginate(
        PaginationConfig={"PageSize": 6})
    assert [i for page in pages for i in ids_of(page)] == everything


@pytest.mark.parametrize("filters,expect", [
    # evaluated by the dialect, batch by batch
    ([{"Name": "tag:role", "Values": ["web"]}], "web"),
    ([{"Name": "instance-state-name", "Values": ["running"]}], "running"),
    ([{"Name": "instance-state-name", "Values": ["terminated"]}], "gone"),
    ([{"Name": "instance-type", "Values": ["m1.small"]}], "small"),
    ([{"Name": "tag:role", "Values": ["w*"]},
      {"Name": "instance-state-name", "Values": ["running"]}], "web"),
    # pushed down to the compute list query
    ([{"Name": "image-id", "Values": ["AMI"]}], "all"),
    ([{"Name": "image-id", "Values": ["ami-0fffffff"]}], "none"),
    ([{"Name": "instance-id", "Values": ["WEB"]}], "web"),
    ([{"Name": "instance-id", "Values": ["WEB", "i-zz"]},
      {"Name": "tag-key", "Values": ["role"]}], "web"),
])
def test_pages_with_filters(fleet, filters, expect):
    client = fleet["client"]
    for f in filters:
        values = []
        for v in f["Values"]:
            values += {"AMI": [fleet["ami"]], "WEB": fleet["web"]}.get(
                v, [v])
        f["Values"] = values
    wanted = {"web": fleet["web"], "running": fleet["running"],
              "gone": [fleet["gone"]], "small": [fleet["small"]],
              "all": fleet["running"] + [fleet["gone"]], "none": []}[expect]
    everything = ids_of(client.describe_instances(Filters=filters))
    assert sorted(everything) == sorted(wanted)
    seen, lengths = walk(client, 5, Filters=filters)
    assert seen == everything
    assert all(n == 5 for n in lengths[:-1]) and lengths[-1] <= 5


@pytest.mark.parametrize("token", [
    "garbage", "MTIz", paging.encode_token("not-a-uuid"),
    # well formed, but no instance behind it
    paging.encode_token(str(uuid.UUID(int=7))),
])
def test_a_bad_next_token_is_an_ec2_400(fleet, token):
    with pytest.raises(ClientError) as err:
        fleet["client"].describe_instances(MaxResults=5, NextToken=token)
    response = err.value.response
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert "NextToken" in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]  # parsed from XML


def test_max_results_out_of_range_or_with_instance_ids(fleet):
    client = fleet["client"]
    for kwargs in ({"MaxResults": 4}, {"MaxResults": 1001},
                   {"MaxResults": 5, "InstanceIds": fleet["web"][:1]}):
        with pytest.raises(ClientError) as err:
            client.describe_instances(**kwargs)
        assert err.value.response["Error"]["Code"] == \
            "InvalidParameterValue"


def test_awscli_pagination(ec2, fleet):
    everything = ids_of(fleet["client"].describe_instances())

    def cli(*args):
        return json.loads(ec2.aws("describe-instances", *args,
                                  project=PROJECT).stdout)
    # --page-size: the CLI follows every NextToken itself
    assert ids_of(cli("--page-size", "5")) == everything
    # --max-items: the CLI hands out its own token to resume from
    seen, token = [], None
    for _ in range(20):
        extra = ["--starting-token", token] if token else []
        out = cli("--max-items", "4", "--page-size", "5", *extra)
        seen += ids_of(out)
        token = out.get("NextToken")
        if not token:
            break
    assert seen == everything
    web = cli("--page-size", "5", "--filters",
              "Name=tag:role,Values=web")
    assert sorted(ids_of(web)) == sorted(fleet["web"])
