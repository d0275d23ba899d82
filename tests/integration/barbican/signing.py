"""What an image publisher does before booting a signed image: make a
CA and a signing certificate it issues (``cryptography``), store both in
the key manager through castellan (its Barbican backend, as the demo
user), sign the image's data (RSA-PSS, SHA-256) and upload the image
with Glance's ``img_signature*`` properties."""

import base64
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.integration.keystone import cloud as keystone_cloud

USER, PROJECT = "demo", "demo"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, ca):
    now = datetime.datetime.now(datetime.UTC)
    usage = dict.fromkeys(
        ("content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "crl_sign", "encipher_only", "decipher_only"),
        False)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                              critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, key_cert_sign=ca, **usage),
                   critical=True))
    return builder.sign(issuer_key, hashes.SHA256())


class Authority:
    """A CA and a signing certificate it issued (both keys RSA)."""

    def __init__(self, name):
        self.ca_key = rsa.generate_private_key(65537, 2048)
        self.ca = _certificate(f"{name} CA", self.ca_key, f"{name} CA",
                               self.ca_key, ca=True)
        self.key = rsa.generate_private_key(65537, 2048)
        self.cert = _certificate(f"{name} image signer", self.key,
                                 f"{name} CA", self.ca_key, ca=False)

    def sign(self, data):
        """Base64 RSA-PSS (MGF1, maximal salt) SHA-256 signature, what
        Glance's ``img_signature`` holds."""
        signature = self.key.sign(
            data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                              salt_length=padding.PSS.MAX_LENGTH),
            hashes.SHA256())
        return base64.b64encode(signature).decode()


def der(certificate):
    return certificate.public_bytes(serialization.Encoding.DER)


class SigningCloud:
    """The Keystone + nimbus cloud (:class:`keystone_cloud.Cloud`) and
    the Barbican its compute hosts read certificates from."""

    def __init__(self, cloud, barbican_url):
        self.cloud = cloud
        self.barbican_url = barbican_url

    def key_manager(self):
        """castellan's Barbican backend and a demo-user credential."""
        from castellan import key_manager, options
        from castellan.common.credentials import keystone_password
        from oslo_config import cfg
        conf = cfg.ConfigOpts()
        options.set_defaults(conf, backend="barbican",
                             barbican_endpoint=self.barbican_url,
                             auth_endpoint=self.cloud.keystone_url)
        credential = keystone_password.KeystonePassword(
            password=keystone_cloud.PASSWORD,
            auth_url=self.cloud.keystone_url, username=USER,
            user_domain_name="Default", project_name=PROJECT,
            project_domain_name="Default")
        return key_manager.API(conf), credential

    def store_certificate(self, certificate):
        """Store ``certificate`` in Barbican; return its id."""
        from castellan.common.objects import x_509
        manager, credential = self.key_manager()
        return manager.store(credential, x_509.X509(der(certificate)))

    def upload_image(self, name, data, signed_by=None, signature_of=None,
                     cert_id=None):
        """Upload ``data`` as a raw image; with ``signed_by`` (an
        :class:`Authority`) carry the signature of ``signature_of``
        (default: the data itself) and ``cert_id`` (the signing
        certificate's id in Barbican). Return the image's id."""
        properties = {}
        if signed_by is not None:
            properties = {
                "img_signature": signed_by.sign(
                    data if signature_of is None else signature_of),
                "img_signature_hash_method": "SHA-256",
                "img_signature_key_type": "RSA-PSS",
                "img_signature_certificate_uuid": cert_id}
        image = self.cloud.sdk(USER).image.create_image(
            name=name, data=data, disk_format="raw",
            container_format="bare", visibility="private",
            allow_duplicates=True, wait=True, **properties)
        return image.id


def random_image(size=256 * 1024):
    return os.urandom(size)

