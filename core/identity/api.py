"""Identity operations: authenticate, validate and revoke tokens;
manage projects, users and role assignments.

Roles imply each other as Keystone's defaults do: ``admin`` implies
``member``, which implies ``reader``. Validation is one SQL statement
(roles on the project, user and project enabled, token not revoked),
remembered for ``[identity] token_cache_time`` seconds.
"""

import datetime
import threading
import time

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.exception import AuthFailed
from nimbus.core.identity import lockout, passwords, tokens

LOG = logging.getLogger(__name__)

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}
DEFAULT_ROLES = ("admin", "member", "reader")
_IMPLIES = {"admin": ("member", "reader"), "member": ("reader",)}


def implied(role_names):
    """Return ``role_names`` plus the roles they imply, sorted."""
    names = set(role_names)
    for name in list(names):
        names.update(_IMPLIES.get(name, ()))
    return sorted(names)


def iso(timestamp):
    return datetime.datetime.fromtimestamp(
        timestamp, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class IdentityAPI:
    """Everything the identity dialect and the auth strategy need.

    :param conf: the configuration (``[identity]``).
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.tokens = tokens.TokenFormatter(conf)
        self.lockout = lockout.Lockout(conf, db)
        self._cache = {}
        self._cache_lock = threading.Lock()

    # -- authentication -----------------------------------------------------

    def _user_by_password(self, context, ident):
        user = ident.get("user") or {}
        rounds = self.conf.identity.bcrypt_rounds
        try:
            if user.get("id"):
                row = self.db.identity.get_user(context, ident=user["id"])
            else:
                row = self.db.identity.get_user(
                    context, name=user.get("name"),
                    domain_id=_domain_id(user.get("domain")))
        except exception.NotFound:
            passwords.check_password(user.get("password"), None, rounds)
            raise AuthFailed()
        if self.lockout.is_locked(row):
            passwords.check_password(user.get("password"), None, rounds)
            LOG.warning("Password login of locked-out user %(user)s "
                        "refused", {"user": row["id"]})
            raise AuthFailed()
        if not passwords.check_password(user.get("password"),
                                        row["password_hash"]):
            self.lockout.failed(context, row)
            raise AuthFailed()
        if not row["enabled"]:
            raise AuthFailed()
        self.lockout.succeeded(context, row)
        return row

    def authenticate(self, context, methods, ident, scope):
        """Check credentials; return ``(token, token body)``.

        :param ident: ``{"password": {"user": ...}}`` or ``{"token":
            {"id": ...}}`` (Identity v3's ``auth.identity``).
        :param scope: ``auth.scope`` or None (unscoped, unless the user
            has a default project).
        :raises AuthFailed: bad credentials, or no role on the project.
        """
        if "password" in methods:
            user = self._user_by_password(context, ident["password"])
            audit = None
        elif "token" in methods:
            payload = self.tokens.open(str(ident["token"].get("id", "")))
            self._check(context, payload)
            user = self.db.identity.get_user(context, ident=payload["u"])
            audit = None
        else:
            raise AuthFailed()
        project = self._scope(context, scope, user)
        project_id = project["id"] if project else None
        roles, revoked = self.db.identity.token_state(
            context, user["id"], project_id, "")
        if roles is None or (project and not roles):
            raise AuthFailed()
        token, payload = self.tokens.issue(user["id"], project_id,
                                           methods, audit)
        return token, self._body(payload, user, project, roles)

    def _scope(self, context, scope, user):
        wanted = (scope or {}).get("project")
        try:
            if wanted and wanted.get("id"):
                return self.db.identity.get_project(context,
                                                    ident=wanted["id"])
            if wanted:
                return self.db.identity.get_project(
                    context, name=wanted.get("name"),
                    domain_id=_domain_id(wanted.get("domain")))
            if user.get("default_project_id") and scope is None:
                return self.db.identity.get_project(
                    context, ident=user["default_project_id"])
        except exception.NotFound:
            raise AuthFailed()
        return None

    def _body(self, payload, user, project, roles):
        ids = {name: rid for rid, name in roles}
        body = {
            "methods": payload["m"], "audit_ids": [payload["a"]],
            "expires_at": iso(payload["e"]), "issued_at": iso(payload["i"]),
            "user": {"id": user["id"], "name": user["name"],
                     "domain": DEFAULT_DOMAIN,
                     "password_expires_at": None},
            "roles": [{"id": ids.get(n, n), "name": n}
                      for n in implied(ids)],
        }
        if project:
            body["project"] = {"id": project["id"], "name": project["name"],
                               "domain": DEFAULT_DOMAIN}
            body["is_domain"] = False
        return body

    def roles_on(self, context, user_id, project_id):
        """The roles (implied ones included) ``user_id`` holds on
        ``project_id``, for callers that authenticated another way (EC2
        signatures).

        :raises AuthFailed: the user or project is missing or disabled,
            or the user has no role on the project.
        """
        roles, _revoked = self.db.identity.token_state(
            context, user_id, project_id, "")
        if not roles:
            raise AuthFailed()
        return implied(name for _rid, name in roles)

    # -- validation ---------------------------------------------------------

    def _check(self, context, payload):
        roles, revoked = self.db.identity.token_state(
            context, payload["u"], payload["p"], payload["a"])
        if roles is None or revoked or (payload["p"] and not roles):
            raise tokens.InvalidToken()
        return implied(name for _, name in roles)

    def validate(self, context, token):
        """Return ``{"user_id", "project_id", "roles", "audit_id",
        "expires"}`` of a valid token.

        :raises InvalidToken: forged, expired, revoked, or its user or
            project is gone or disabled or has lost every role.
        """
        ttl = self.conf.identity.token_cache_time
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(token)
        if hit and now - hit[1] < ttl and hit[0]["expires"] > time.time():
            return hit[0]
        payload = self.tokens.open(token)
        info = {"user_id": payload["u"], "project_id": payload["p"],
                "roles": self._check(context, payload),
                "audit_id": payload["a"], "expires": payload["e"],
                "methods": payload["m"], "issued": payload["i"]}
        if ttl:
            with self._cache_lock:
                if len(self._cache) > 10000:
                    self._cache.clear()
                self._cache[token] = (info, now)
        return info

    def revoke(self, context, token):
        info = self.validate(context, token)
        self.db.identity.revoke_token(
            context, info["audit_id"],
            datetime.datetime.fromtimestamp(info["expires"], datetime.UTC)
            .replace(tzinfo=None))
        with self._cache_lock:
            self._cache.pop(token, None)

    def token_body(self, context, token):
        """The Identity v3 body of a valid token (GET /auth/tokens)."""
        info = self.validate(context, token)
        user = self.db.identity.get_user(context, ident=info["user_id"])
        project = self.db.identity.get_project(
            context, ident=info["project_id"]) if info["project_id"] \
            else None
        payload = {"m": info["methods"], "a": info["audit_id"],
                   "e": info["expires"], "i": info["issued"]}
        roles = [(r, r) for r in info["roles"]]
        return self._body(payload, user, project, roles)


def _domain_id(domain):
    domain = domain or {}
    if domain.get("id"):
        return domain["id"]
    if domain.get("name") in (None, "Default", "default"):
        return "default"
    return domain["name"]
