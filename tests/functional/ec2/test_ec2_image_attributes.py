"""DescribeImageAttribute and ModifyImageAttribute with boto3: launch
permissions are the image's visibility (Group=all: public) and members
(UserId: a project, accepted at once), and the description."""

import pytest
from botocore.exceptions import ClientError


def code(err):
    return err.value.response["Error"]["Code"]


def _launch(client, ami):
    return client.describe_image_attribute(
        ImageId=ami, Attribute="launchPermission")["LaunchPermissions"]


def _ids(client):
    return {i["ImageId"] for i in client.describe_images()["Images"]}


def test_launch_permission_for_accounts_and_all(ec2):
    owner = ec2.client(project="p-attr")
    friend = ec2.client(project="p-attr-friend")
    stranger = ec2.client(project="p-attr-stranger")
    ami = owner.register_image(Name="to-share")["ImageId"]
    assert _launch(owner, ami) == []
    assert ami not in _ids(friend)

    owner.modify_image_attribute(ImageId=ami, LaunchPermission={
        "Add": [{"UserId": "p-attr-friend"}]})
    assert _launch(owner, ami) == [{"UserId": "p-attr-friend"}]
    # Accepted at once: the friend lists it; a stranger does not.
    assert ami in _ids(friend)
    assert ami not in _ids(stranger)
    with pytest.raises(ClientError) as err:
        stranger.describe_images(ImageIds=[ami])
    assert code(err) == "InvalidAMIID.NotFound"
    # Only the owner changes launch permissions.
    with pytest.raises(ClientError) as err:
        friend.modify_image_attribute(ImageId=ami, LaunchPermission={
            "Add": [{"UserId": "p-attr-stranger"}]})
    assert code(err) in ("AuthFailure", "UnauthorizedOperation")

    # The older parameters (OperationType, UserId.N) work as well.
    owner.modify_image_attribute(ImageId=ami, Attribute="launchPermission",
                                 OperationType="remove",
                                 UserIds=["p-attr-friend"])
    assert _launch(owner, ami) == []
    assert ami not in _ids(friend)

    # Group=all needs an admin, as making an image public does.
    with pytest.raises(ClientError) as err:
        owner.modify_image_attribute(ImageId=ami, LaunchPermission={
            "Add": [{"Group": "all"}]})
    assert code(err) == "UnauthorizedOperation"
    admin = ec2.client(user="admin", project="admin")
    admin.modify_image_attribute(ImageId=ami, LaunchPermission={
        "Add": [{"Group": "all"}]})
    assert _launch(owner, ami) == [{"Group": "all"}]
    assert ami in _ids(stranger)
    shown = stranger.describe_images(ImageIds=[ami])["Images"][0]
    assert shown["Public"] is True
    owner.modify_image_attribute(ImageId=ami, LaunchPermission={
        "Remove": [{"Group": "all"}]})
    assert ami not in _ids(stranger)
    assert owner.describe_images(ImageIds=[ami])["Images"][0][
        "Public"] is False


def test_description_and_bad_input(ec2):
    owner = ec2.client(project="p-attr-desc")
    ami = owner.register_image(Name="described",
                               Description="before")["ImageId"]
    owner.modify_image_attribute(ImageId=ami,
                                 Description={"Value": "after"})
    assert owner.describe_image_attribute(
        ImageId=ami, Attribute="description")["Description"] == {
            "Value": "after"}
    assert owner.describe_images(ImageIds=[ami])["Images"][0][
        "Description"] == "after"
    for kwargs, wanted in [
            ({}, "MissingParameter"),
            ({"LaunchPermission": {"Add": [{"Group": "everyone"}]}},
             "InvalidParameterValue"),
            ({"Attribute": "kernel", "Value": "aki-1"},
             "InvalidParameterValue")]:
        with pytest.raises(ClientError) as err:
            owner.modify_image_attribute(ImageId=ami, **kwargs)
        assert code(err) == wanted, kwargs
    with pytest.raises(ClientError) as err:
        owner.modify_image_attribute(ImageId="ami-00000fff",
                                     Description={"Value": "x"})
    assert code(err) == "InvalidAMIID.NotFound"
