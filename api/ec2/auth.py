"""Who signed an EC2 request: the access key's user and project.

With ``[api] auth_strategy`` ``nimbus`` (and ``noauth2``, for
development) the key is one of nimbus's OS-EC2 credentials and the roles
are the user's on the key's project. With ``keystone`` the signature is
checked by Keystone's ``/v3/ec2tokens`` (:mod:`.keystone`), which answers
with the token of the key's user and project.
"""

from nimbus.api.ec2 import keystone, signing
from nimbus.core import context as nimbus_context
from nimbus.core import exception

_UNKNOWN_KEY = ("AWS was not able to validate the provided access "
                "credentials.")


def authenticate(conf, services, request, body, pairs):
    """Return the :class:`RequestContext` of a signed request.

    :raises Ec2Error: ``AuthFailure`` (unsigned, unknown key, a region
        other than ``[ec2] region_name``), ``SignatureDoesNotMatch``,
        ``RequestExpired``.
    """
    signed = signing.parse(request, body, pairs)
    signing.check_time(signed, conf.ec2.auth_ttl)
    if signed.version == 4 and (signed.region != conf.ec2.region_name or
                                signed.service != "ec2"):
        raise exception.Ec2Error(
            "AuthFailure", "Credential should be scoped to a valid region "
            f"({conf.ec2.region_name}) and the service ec2.", 401)
    request_id = request.environ.get("nimbus.request_id")
    if conf.api.auth_strategy == "keystone":
        return keystone.authenticate(conf, request, body, pairs, signed,
                                     request_id)
    admin = nimbus_context.get_admin_context()
    try:
        cred = services.ec2_credentials.get(admin, signed.access)
    except exception.NotFound:
        raise exception.Ec2Error("AuthFailure", _UNKNOWN_KEY, 401)
    signed.verify(cred["secret"])
    user, project = cred["user_id"], cred["project_id"]
    if conf.api.auth_strategy == "noauth2":
        roles = ["admin", "member", "reader"] if user == "admin" else \
            ["member", "reader"]
    else:
        try:
            roles = services.identity.roles_on(admin, user, project)
        except exception.Unauthenticated:
            raise exception.Ec2Error("AuthFailure", _UNKNOWN_KEY, 401)
    return nimbus_context.RequestContext(
        user_id=user, project_id=project, roles=roles,
        is_admin="admin" in roles, remote_address=request.remote_addr,
        request_id=request_id)
