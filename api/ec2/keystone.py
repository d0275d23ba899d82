"""EC2 signatures checked by Keystone (``[api] auth_strategy =
keystone``): ``POST /v3/ec2tokens`` with what the client signed, sent
with nimbus's own service token (Keystone's ``identity:ec2tokens_validate``
policy wants the service or admin role), answers the token of the
access key's user and project. The Host header goes verbatim and the
header names keep their capitalisation, as Keystone's signer needs.
"""

import hashlib

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session

from nimbus.core import context as nimbus_context
from nimbus.core import exception

GROUP = "keystone_authtoken"
_SESSION = {}


def ec2tokens_url(conf):
    if conf.ec2.keystone_ec2tokens_url:
        return conf.ec2.keystone_ec2tokens_url
    base = (conf[GROUP].www_authenticate_uri or "").rstrip("/")
    if not base:
        raise exception.ConfigError(
            reason="[ec2] keystone_ec2tokens_url or [keystone_authtoken] "
                   "www_authenticate_uri must be set")
    return base + ("/ec2tokens" if base.endswith("/v3") else
                   "/v3/ec2tokens")


def _session(conf):
    if "session" not in _SESSION:
        ks_loading.register_auth_conf_options(conf, GROUP)
        auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
        _SESSION["session"] = ks_session.Session(auth=auth)
    return _SESSION["session"]


def request_body(request, body, pairs, signed):
    headers = {name: value for name, value in request.headers.items()}
    if request.environ.get("nimbus.content_type"):
        headers["Content-Type"] = request.environ["nimbus.content_type"]
    return {"credentials": {
        "access": signed.access, "signature": signed.signature,
        "host": request.headers.get("Host", ""), "verb": request.method,
        "path": request.path,
        "params": {} if signed.version == 4 else dict(pairs),
        "headers": headers,
        "body_hash": hashlib.sha256(body).hexdigest()}}


def authenticate(conf, request, body, pairs, signed, request_id):
    """Return the context of the key's user and project.

    :raises Ec2Error: ``AuthFailure``/``SignatureDoesNotMatch`` as
        Keystone refuses; ``ServiceUnavailable`` (503) when it cannot be
        reached.
    """
    try:
        response = _session(conf).post(
            ec2tokens_url(conf), json=request_body(request, body, pairs,
                                                   signed),
            raise_exc=False, authenticated=True)
    except ks_exc.ClientException as err:
        raise exception.Ec2Error("ServiceUnavailable",
                                 f"The identity service cannot be "
                                 f"reached: {type(err).__name__}", 503)
    if response.status_code >= 500:
        raise exception.Ec2Error("ServiceUnavailable", "The identity "
                                 "service failed to check the request.",
                                 503)
    if response.status_code != 200:
        text = response.text.lower()
        if "signature" in text:
            raise exception.Ec2Error(
                "SignatureDoesNotMatch", "The request signature we "
                "calculated does not match the signature you provided.",
                403)
        raise exception.Ec2Error("AuthFailure", "AWS was not able to "
                                 "validate the provided access "
                                 "credentials.", 401)
    token = response.json()["token"]
    roles = [r["name"] for r in token.get("roles", [])]
    return nimbus_context.RequestContext(
        user_id=token["user"]["id"],
        project_id=(token.get("project") or {}).get("id"),
        roles=roles, is_admin="admin" in roles,
        auth_token=response.headers.get("X-Subject-Token"),
        remote_address=request.remote_addr, request_id=request_id)
