"""EC2 request signing: what a stock client sends is accepted, anything
else is an EC2 error document with the code clients test for."""

import datetime
import time
import urllib.parse
from xml.etree import ElementTree as ET

import pytest
import requests
from botocore import auth as botocore_auth
from botocore import awsrequest, credentials
from botocore.exceptions import ClientError

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def code(err):
    return err.value.response["Error"]["Code"]


def error_of(response):
    """(status, Code) of an EC2 error document; fails on anything else."""
    root = ET.fromstring(response.content)
    assert root.tag == "Response", response.text
    return response.status_code, root.find("Errors/Error/Code").text


def sign_v4(url, body, access, secret, when, region="RegionOne"):
    """A SigV4-signed POST made at ``when`` (botocore signs with the
    current clock only)."""
    request = awsrequest.AWSRequest(method="POST", url=url, data=body,
                                    headers={"Content-Type": FORM})
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    request.headers["X-Amz-Date"] = stamp
    request.context["timestamp"] = stamp
    signer = botocore_auth.SigV4Auth(credentials.Credentials(access, secret),
                                     "ec2", region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical),
                                 request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access}/{signer.credential_scope(request)}, "
        f"SignedHeaders={signed}, Signature={signature}")
    return dict(request.headers.items())


def post(ec2, body, headers, url=None):
    return requests.post(url or ec2.ec2_url + "/", data=body,
                         headers=headers, timeout=30)


def test_wrong_secret_unknown_key_region(ec2):
    with pytest.raises(ClientError) as err:
        ec2.client(project="p-auth", secret="not-the-secret").describe_regions()
    assert code(err) == "SignatureDoesNotMatch"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as err:
        ec2.client(project="p-auth", access="AKIDUNKNOWN").describe_regions()
    assert code(err) == "AuthFailure"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401

    cred = ec2.credentials(project="p-auth")
    import boto3
    other_region = boto3.client(
        "ec2", endpoint_url=ec2.ec2_url, region_name="us-east-1",
        aws_access_key_id=cred["access"],
        aws_secret_access_key=cred["secret"])
    with pytest.raises(ClientError) as err:
        other_region.describe_regions()
    assert code(err) == "AuthFailure"


def test_unsigned_and_malformed_signatures(ec2):
    body = "Action=DescribeRegions&Version=2016-11-15"
    assert error_of(post(ec2, body, {"Content-Type": FORM})) == \
        (401, "AuthFailure")
    headers = {"Content-Type": FORM, "X-Amz-Date": "20261130T000000Z",
               "Authorization": "AWS4-HMAC-SHA256 garbage"}
    assert error_of(post(ec2, body, headers)) == (400,
                                                  "IncompleteSignature")
    response = requests.get(ec2.ec2_url + "/nothing/here", timeout=30)
    assert error_of(response) == (401, "AuthFailure")
    response = requests.delete(ec2.ec2_url + "/", timeout=30)
    assert error_of(response)[0] == 400


def test_old_timestamp_is_request_expired(ec2):
    cred = ec2.credentials(project="p-auth")
    body = "Action=DescribeRegions&Version=2016-11-15"
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(
        minutes=16)
    headers = sign_v4(ec2.ec2_url + "/", body, cred["access"],
                      cred["secret"], old)
    assert error_of(post(ec2, body, headers)) == (400, "RequestExpired")
    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        minutes=16)
    headers = sign_v4(ec2.ec2_url + "/", body, cred["access"],
                      cred["secret"], future)
    assert error_of(post(ec2, body, headers)) == (400, "RequestExpired")
    recent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(
        minutes=5)
    headers = sign_v4(ec2.ec2_url + "/", body, cred["access"],
                      cred["secret"], recent)
    response = post(ec2, body, headers)
    assert response.status_code == 200, response.text


def test_replay_outside_the_window_is_refused(ec2):
    """A captured boto3 request replays only within [ec2] auth_ttl."""
    client = ec2.client(project="p-auth")
    captured = {}

    def keep(request, **kwargs):
        captured["headers"] = dict(request.headers.items())
        captured["body"] = request.body
    client.meta.events.register("before-send.ec2.DescribeRegions", keep)
    client.describe_regions()
    headers = {k: (v.decode() if isinstance(v, bytes) else v)
               for k, v in captured["headers"].items()}
    assert post(ec2, captured["body"], headers).status_code == 200
    ec2.conf.set_override("auth_ttl", 1, "ec2")
    try:
        time.sleep(2.5)
        assert error_of(post(ec2, captured["body"], headers)) == \
            (400, "RequestExpired")
    finally:
        ec2.conf.clear_override("auth_ttl", "ec2")


def test_tampered_body_does_not_match(ec2):
    cred = ec2.credentials(project="p-auth")
    body = "Action=DescribeRegions&Version=2016-11-15"
    headers = sign_v4(ec2.ec2_url + "/", body, cred["access"],
                      cred["secret"], datetime.datetime.now(datetime.UTC))
    tampered = body + "&RegionName.1=x"
    assert error_of(post(ec2, tampered, headers)) == \
        (403, "SignatureDoesNotMatch")


def test_signature_version_2_and_get(ec2):
    """Old clients: SigV2 parameters, sent as a GET query string."""
    cred = ec2.credentials(project="p-auth")
    params = {"Action": "DescribeRegions", "Version": "2016-11-15",
              "AWSAccessKeyId": cred["access"], "SignatureVersion": "2",
              "SignatureMethod": "HmacSHA256",
              "Timestamp": datetime.datetime.now(datetime.UTC).strftime(
                  "%Y-%m-%dT%H:%M:%SZ")}
    url = ec2.ec2_url + "/"
    request = awsrequest.AWSRequest(method="GET", url=url)
    _qs, signature = botocore_auth.SigV2Auth(credentials.Credentials(
        cred["access"], cred["secret"])).calc_signature(request, params)
    query = urllib.parse.urlencode(dict(params, Signature=signature))
    response = requests.get(url + "?" + query, timeout=30)
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    assert root.tag.endswith("DescribeRegionsResponse")
    bad = urllib.parse.urlencode(dict(params, Signature="AAAA"))
    assert error_of(requests.get(url + "?" + bad, timeout=30)) == \
        (403, "SignatureDoesNotMatch")


def test_api_port_serves_services_cloud(ec2):
    """The same dialect at /services/Cloud on the API's own port."""
    client = ec2.client(project="p-auth", url=ec2.url + "/services/Cloud")
    regions = client.describe_regions()["Regions"]
    assert [r["RegionName"] for r in regions] == ["RegionOne"]
    with pytest.raises(ClientError) as err:
        ec2.client(project="p-auth", url=ec2.url + "/services/Cloud",
                   secret="wrong").describe_regions()
    assert code(err) == "SignatureDoesNotMatch"


def test_unknown_action_and_missing_parameters(ec2):
    cred = ec2.credentials(project="p-auth")
    for body, expected in [
            ("Action=NoSuchThing&Version=2016-11-15", "InvalidAction"),
            ("Version=2016-11-15", "MissingAction"),
            ("Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1",
             "MissingParameter"),
            ("Action=CreateKeyPair&Version=2016-11-15", "MissingParameter"),
            ("Action=DescribeInstances&Version=2016-11-15&InstanceId=x.1",
             "InvalidParameterValue")]:
        headers = sign_v4(ec2.ec2_url + "/", body, cred["access"],
                          cred["secret"],
                          datetime.datetime.now(datetime.UTC))
        assert error_of(post(ec2, body, headers)) == (400, expected), body
