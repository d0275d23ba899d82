"""/identity/v3/auth/tokens: issue (POST), check (GET/HEAD), revoke
(DELETE)."""

import pecan

from nimbus.api import http
from nimbus.core import context as nimbus_context
from nimbus.core import exception

_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": "^[^\\x00-\\x1f\\x7f]*$"}
_DOMAIN = {"type": "object", "properties": {"id": _NAME, "name": _NAME}}

_SCOPE = {"type": "object", "properties": {"project": {
    "type": "object", "properties": {
        "id": _NAME, "name": _NAME, "domain": _DOMAIN}}}}

_USER = {"type": "object", "required": ["password"],
         "anyOf": [{"required": ["id"]}, {"required": ["name"]}],
         "properties": {"id": _NAME, "name": _NAME, "domain": _DOMAIN,
                        "password": {"type": "string", "maxLength": 4096}}}


def _needs_section(method):
    """A ``methods`` entry requires its own section: ``["token"]`` without
    ``token`` is a 400, not a failure deeper down."""
    return {"if": {"properties": {"methods": {"contains": {"const": method}}}},
            "then": {"required": [method]}}


AUTH = {
    "type": "object", "required": ["auth"],
    "properties": {"auth": {
        "type": "object", "required": ["identity"],
        "properties": {
            "identity": {
                "type": "object", "required": ["methods"],
                "allOf": [_needs_section("password"),
                          _needs_section("token")],
                "properties": {
                    "methods": {"type": "array", "minItems": 1,
                                "items": {"enum": ["password", "token"]}},
                    "password": {"type": "object", "required": ["user"],
                                 "properties": {"user": _USER}},
                    "token": {"type": "object", "required": ["id"],
                              "properties": {"id": _NAME}}}},
            "scope": {"anyOf": [_SCOPE, {"type": "string"}]}}}},
}


def catalog(base, region, dialects=("openstack", "identity", "image"),
            image_url=None):
    """The service catalog of a project-scoped token: compute, identity,
    image (at ``image_url``, by default nimbus's ``/image``), and one
    entry per enabled network/volume dialect (``dialects``: ``[api]
    enabled_dialects``; clients fall back to the compute API's
    os-networks and os-security-groups only when network is absent)."""
    def entry(kind, name, url):
        return {"type": kind, "name": name, "id": kind,
                "endpoints": [{"id": f"{kind}-{iface}", "interface": iface,
                               "region": region, "region_id": region,
                               "url": url}
                              for iface in ("public", "internal",
                                            "admin")]}
    entries = [entry("compute", "nova", base + "/v2.1"),
               entry("identity", "keystone", base + "/identity"),
               entry("image", "glance", image_url or base + "/image")]
    if "network" in dialects:
        # No trailing slash: the SDK appends v2.0 itself.
        entries.append(entry("network", "neutron", base + "/network"))
    if "volume" in dialects:
        # Stock clients look for block-storage, then volumev3.
        entries += [entry("block-storage", "cinder", base + "/volume/v3"),
                    entry("volumev3", "cinderv3", base + "/volume/v3")]
    return entries


def _glance_url(conf):
    """Glance's URL when the images are a Glance's (``[glance]
    endpoint``), else None."""
    if conf.images.backend != "glance":
        return None
    return conf.glance.endpoint if "glance" in conf else None


def _admin_context():
    return nimbus_context.get_admin_context()


def _subject():
    token = pecan.request.headers.get("X-Subject-Token")
    if not token:
        raise exception.NotFound(message="X-Subject-Token is missing")
    return token


class AuthController:
    """/identity/v3/auth."""

    @pecan.expose("json")
    def tokens(self):
        method = pecan.request.method
        if method == "POST":
            return self._issue()
        http.allow("GET", "DELETE")
        identity = http.services().identity
        if method == "DELETE":
            owner = identity.validate(_admin_context(), _subject())
            http.authorize("identity:revoke_token",
                           {"user_id": owner["user_id"]})
            identity.revoke(_admin_context(), _subject())
            return http.reply(None, 204)
        try:
            body = identity.token_body(_admin_context(), _subject())
        except exception.Unauthenticated:
            raise exception.NotFound(message="Could not find token")
        http.authorize("identity:validate_token",
                       {"user_id": body["user"]["id"]})
        return http.reply({"token": body},
                          headers={"X-Subject-Token": _subject()})

    def _issue(self):
        auth = http.body(AUTH)["auth"]
        ident = auth["identity"]
        scope = auth.get("scope")
        if isinstance(scope, str):
            scope = None if scope == "unscoped" else {}
        token, body = http.services().identity.authenticate(
            _admin_context(), ident["methods"], ident, scope)
        if "project" in body:
            conf = pecan.request.context["conf"]
            body["catalog"] = catalog(http.base_url(),
                                      conf.identity.region,
                                      conf.api.enabled_dialects,
                                      _glance_url(conf))
        return http.reply({"token": body}, 201,
                          headers={"X-Subject-Token": token})
