"""Password hashing with bcrypt (a maintained KDF).

bcrypt reads at most 72 bytes, so the password is first reduced with
SHA-256 (base64, 44 bytes): long passwords then differ in every byte
instead of being silently cut.
"""

import base64
import hashlib
import hmac

import bcrypt


def _prepare(password):
    digest = hashlib.sha256(password.encode("utf-8")).digest()
    return base64.b64encode(digest)


def hash_password(password, rounds=12):
    return bcrypt.hashpw(_prepare(password),
                         bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password, hashed):
    """Constant-time check of ``password`` against a stored hash."""
    if not hashed or password is None:
        # Spend the same time as a real check, then fail.
        bcrypt.checkpw(b"x", bcrypt.hashpw(b"y", bcrypt.gensalt(4)))
        return False
    try:
        return bcrypt.checkpw(_prepare(password), hashed.encode("ascii"))
    except ValueError:
        return hmac.compare_digest("a", "b")
