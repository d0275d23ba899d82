"""Checking a request's AWS signature with botocore's own signers.

nimbus never re-implements AWS canonicalisation: the request is rebuilt
as a ``botocore.awsrequest.AWSRequest`` carrying exactly what the client
signed (method, URL as received, the signed headers, the body) and
botocore's ``SigV4Auth``/``SigV2Auth`` compute the signature the secret
gives; it must equal the one sent (compared in constant time).

Signature Version 4 (``Authorization: AWS4-HMAC-SHA256 Credential=...``,
what boto3 and the AWS CLI send) and Version 2 (``SignatureVersion=2``
parameters, old clients) are accepted. A request whose timestamp is more
than ``[ec2] auth_ttl`` from now is ``RequestExpired``: that bounds
replays, as on AWS (within the window a captured request can be sent
again, which AWS allows too and which idempotent clients rely on).
"""

import base64
import datetime
import hmac
import re

from botocore import auth as botocore_auth
from botocore import awsrequest, credentials

from nimbus.core import exception

_V4 = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/"
    r"([^/,\s]+)/aws4_request,\s*SignedHeaders=([a-z0-9;\-]+),\s*"
    r"Signature=([0-9a-f]{64})\s*$")


def _error(code, message, status=400):
    return exception.Ec2Error(code, message, status)


class Signed:
    """What a request claims: its access key and how to check it."""

    def __init__(self, version, access, check, timestamp, region=None,
                 service=None, signature=None):
        self.version = version
        self.signature = signature
        self.access = access
        self._check = check
        self.timestamp = timestamp
        self.region = region
        self.service = service

    def verify(self, secret):
        """:raises Ec2Error: ``SignatureDoesNotMatch`` (403)."""
        if not self._check(secret):
            raise _error("SignatureDoesNotMatch",
                         "The request signature we calculated does not "
                         "match the signature you provided. Check your "
                         "AWS Secret Access Key and signing method.", 403)


def _url(request):
    host = request.headers.get("Host") or request.host
    url = f"{request.scheme}://{host}{request.path}"
    query = request.environ.get("QUERY_STRING")
    return url + ("?" + query if query else "")


def _amz_time(value):
    try:
        return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        raise _error("AuthFailure", "X-Amz-Date is missing or not in the "
                     "form YYYYMMDDTHHMMSSZ.", 401)


def _v4(request, body, header):
    match = _V4.match(header)
    if match is None:
        raise _error("IncompleteSignature",
                     "The Authorization header is not a valid AWS4 "
                     "signature.")
    access, date, region, service, signed, signature = match.groups()
    stamp = request.headers.get("X-Amz-Date")
    when = _amz_time(stamp)
    if stamp[:8] != date:
        raise _error("SignatureDoesNotMatch", "The credential scope date "
                     "is not the date of X-Amz-Date.", 403)
    names = signed.split(";")
    if "host" not in names:
        raise _error("IncompleteSignature", "The Host header must be "
                     "signed.")

    def check(secret):
        headers = {}
        for name in names:
            value = request.headers.get(name)
            if name == "content-type":
                value = request.environ.get("nimbus.content_type", value)
            if value is None:
                return False
            headers[name] = value
        aws = awsrequest.AWSRequest(method=request.method, url=_url(request),
                                    headers=headers, data=body)
        aws.context["timestamp"] = stamp
        signer = botocore_auth.SigV4Auth(
            credentials.Credentials(access, secret), service, region)
        canonical = signer.canonical_request(aws)
        expected = signer.signature(
            signer.string_to_sign(aws, canonical), aws)
        return hmac.compare_digest(expected, signature)
    return Signed(4, access, check, when, region, service, signature)


def _v2(request, pairs):
    params = dict(pairs)
    if params.get("SignatureMethod") != "HmacSHA256":
        raise _error("AuthFailure", "SignatureMethod must be HmacSHA256.",
                     401)
    access, signature = params.get("AWSAccessKeyId"), params["Signature"]
    if not access:
        raise _error("AuthFailure", "AWSAccessKeyId is missing.", 401)
    stamp = params.get("Timestamp") or params.get("Expires")
    try:
        when = datetime.datetime.fromisoformat(
            (stamp or "").replace("Z", "+00:00"))
    except ValueError:
        raise _error("AuthFailure", "Timestamp is missing or invalid.", 401)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)

    def check(secret):
        aws = awsrequest.AWSRequest(method=request.method, url=_url(request))
        _qs, expected = botocore_auth.SigV2Auth(
            credentials.Credentials(access, secret)).calc_signature(
                aws, params)
        try:
            sent = base64.b64decode(signature, validate=True)
        except ValueError:
            return False
        return hmac.compare_digest(base64.b64decode(expected), sent)
    return Signed(2, access, check, when, signature=signature)


def parse(request, body, pairs):
    """Read the signature a request carries.

    :param body: the raw body (bytes) as signed.
    :param pairs: the request's parameters.
    :returns: a :class:`Signed`.
    :raises Ec2Error: unsigned (``AuthFailure`` 401), malformed
        (``IncompleteSignature``).
    """
    header = request.headers.get("Authorization", "")
    if header.startswith("AWS4-HMAC-SHA256"):
        return _v4(request, body, header)
    if any(name == "Signature" for name, _ in pairs) and \
            dict(pairs).get("SignatureVersion") == "2":
        return _v2(request, pairs)
    raise _error("AuthFailure", "AWS was not able to validate the provided "
                 "access credentials (the request is not signed with "
                 "Signature Version 4 or 2).", 401)


def check_time(signed, ttl, now=None):
    """:raises Ec2Error: ``RequestExpired`` outside ``ttl`` seconds."""
    now = now or datetime.datetime.now(datetime.UTC)
    if abs((now - signed.timestamp).total_seconds()) > ttl:
        raise _error("RequestExpired", "Request has expired: its "
                     "timestamp is more than "
                     f"{ttl // 60} minutes from the server's time.")
