"""Fernet tokens: who, which project, when it expires, audit id.

Tokens are ``cryptography`` Fernet messages (AES-128-CBC + HMAC-SHA256)
over a small JSON payload; nimbus never invents its own crypto. The keys
live in ``[identity] key_repository`` (default
``$state_path/fernet-keys``), created on first use with mode 0700/0600.
Key ``0`` is the primary; others are accepted for validation, so keys can
be rotated by adding a new primary and keeping the old one for a token
lifetime.
"""

import json
import os
import threading
import time

from cryptography import fernet
from oslo_utils import uuidutils

from nimbus.core.exception import InvalidToken

_LOCK = threading.Lock()


def key_repository(conf):
    return conf.identity.key_repository or os.path.join(conf.state_path,
                                                        "fernet-keys")


def load_keys(path):
    """The MultiFernet of the keys in ``path`` (creating a first key,
    mode 0600 in a 0700 directory, when there is none)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    names = sorted((n for n in os.listdir(path) if n.isdigit()), key=int)
    if not names:
        key_file = os.path.join(path, "0")
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(fernet.Fernet.generate_key())
        names = ["0"]
    keys = []
    for name in names:
        with open(os.path.join(path, name), "rb") as f:
            keys.append(fernet.Fernet(f.read().strip()))
    return fernet.MultiFernet(keys)


class TokenFormatter:
    """Issue and open tokens with the deployment's Fernet keys."""

    def __init__(self, conf):
        self.conf = conf
        self._fernet = None

    @property
    def fernet(self):
        with _LOCK:
            if self._fernet is None:
                self._fernet = load_keys(key_repository(self.conf))
            return self._fernet

    def issue(self, user_id, project_id, methods, audit_id=None):
        """Return ``(token, payload)`` for a new token."""
        now = time.time()
        payload = {
            "u": user_id, "p": project_id, "m": list(methods),
            "a": audit_id or uuidutils.generate_uuid(dashed=False)[:22],
            "i": now, "e": now + self.conf.identity.token_expiration,
        }
        token = self.fernet.encrypt(json.dumps(payload).encode())
        return token.decode("ascii"), payload

    def open(self, token):
        """Return the payload of a valid, unexpired token.

        :raises InvalidToken: forged, corrupt or expired.
        """
        try:
            payload = json.loads(self.fernet.decrypt(token.encode()))
        except (fernet.InvalidToken, ValueError, UnicodeError, TypeError):
            raise InvalidToken()
        if not isinstance(payload, dict) or \
                payload.get("e", 0) < time.time():
            raise InvalidToken()
        return payload
