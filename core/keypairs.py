"""Key pairs: import or generate SSH (and x509) keys, per user.

Keys are parsed and generated with ``cryptography``; fingerprints are
Nova's (MD5 of the key blob for SSH, SHA-1 of the DER for x509).
"""

import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from nimbus.core import exception, quota

TYPES = ("ssh", "x509")


def _colon_hex(digest):
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def ssh_fingerprint(public_key):
    try:
        serialization.load_ssh_public_key(public_key.encode())
        blob = base64.b64decode(public_key.split()[1])
    except (ValueError, IndexError, TypeError,
            exception.NimbusException) as err:
        raise exception.Invalid(
            reason=f"Keypair data is invalid: {err}") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def x509_fingerprint(pem):
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as err:
        raise exception.Invalid(
            reason=f"Keypair data is invalid: {err}") from None
    return _colon_hex(cert.fingerprint(hashes.SHA1()).hex())


def generate(key_type, name):
    """Return ``(public, private_pem)`` of a new RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    if key_type == "ssh":
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH,
            serialization.PublicFormat.OpenSSH).decode()
        return public + f" Generated-by-Nimbus {name}", private
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), private


class KeypairAPI:
    """Create, import, list, show and delete a user's key pairs.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota.Quotas(conf, db)

    def create(self, context, user_id, name, public_key=None,
               key_type="ssh"):
        """Import ``public_key`` or generate one; return the record (with
        ``private_key`` when generated).

        :raises OverQuota: the user has ``[quota] key_pairs`` already.
        :raises Conflict: the name is taken.
        """
        self.quotas.check(context, context.project_id, {"key_pairs": 1},
                          user_id=user_id)
        private = None
        if public_key is None:
            public_key, private = generate(key_type, name)
        fingerprint = ssh_fingerprint(public_key) if key_type == "ssh" \
            else x509_fingerprint(public_key)
        record = self.db.keypairs.create(context, {
            "name": name, "user_id": user_id, "public_key": public_key,
            "fingerprint": fingerprint, "type": key_type})
        if private is not None:
            record["private_key"] = private
        return record

    def list(self, context, user_id, limit=None, marker=None):
        """:raises InvalidInput: ``marker`` names no key of the user."""
        return self.db.keypairs.get_all(context, user_id, limit=limit,
                                        marker=marker)

    def get(self, context, user_id, name):
        return self.db.keypairs.get(context, user_id, name)

    def delete(self, context, user_id, name):
        self.db.keypairs.destroy(context, user_id, name)
