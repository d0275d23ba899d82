"""Password hashing with bcrypt (a maintained KDF).

bcrypt reads at most 72 bytes, so the password is first reduced with
SHA-256 (base64, 44 bytes): long passwords then differ in every byte
instead of being silently cut.
"""

import base64
import functools
import hashlib
import hmac
import os

import bcrypt


def _prepare(password):
    digest = hashlib.sha256(password.encode("utf-8")).digest()
    return base64.b64encode(digest)


def hash_password(password, rounds=12):
    return bcrypt.hashpw(_prepare(password),
                         bcrypt.gensalt(rounds)).decode("ascii")


@functools.lru_cache(maxsize=4)
def dummy_hash(rounds):
    """A hash of a random password at cost ``rounds``, checked against
    when there is no real one, so that an unknown user costs what a
    known one does."""
    return bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(rounds))


def check_password(password, hashed, rounds=12):
    """Constant-time check of ``password`` against a stored hash.

    :param rounds: the cost of the deployment's hashes (``[identity]
        bcrypt_rounds``): with no ``hashed`` (an unknown or locked-out
        user) the check still spends that long, then fails, so timing
        does not tell which users exist.
    """
    if not hashed or password is None:
        bcrypt.checkpw(_prepare(password or ""), dummy_hash(rounds))
        return False
    try:
        return bcrypt.checkpw(_prepare(password), hashed.encode("ascii"))
    except ValueError:
        return hmac.compare_digest("a", "b")
