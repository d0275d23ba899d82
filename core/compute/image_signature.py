"""Image signature verification on compute hosts, as Nova does it.

An image signed for Glance carries ``img_signature`` (base64),
``img_signature_hash_method`` (``SHA-256``, ...),
``img_signature_key_type`` (``RSA-PSS``, ``ECC_*``, ``DSA``) and
``img_signature_certificate_uuid`` (the signing certificate's id in the
key manager). :func:`verify` checks the image's data against them before
a guest is made from it, with ``cursive`` (the OpenStack library Nova and
Glance use) reading certificates through ``castellan`` (``[key_manager]``,
e.g. Barbican). It runs where the compute manager turns an image into a
guest's :class:`ImageSpec` (:mod:`nimbus.core.compute.guest_spec`), so
every hypervisor plugin boots only verified data.

When it runs (Nova's rules): ``[glance] verify_glance_signatures`` is on,
or the server has trusted certificates (a user asking for validation
gets it either way). With trusted certificates the signing certificate
must chain to one of them first; with ``enable_certificate_validation``
and none, the build fails.
"""

import cryptography.exceptions
from cursive import certificate_utils, signature_utils
from cursive import exception as cursive_exception
from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)

CERT_UUID = "img_signature_certificate_uuid"


def _trusted(conf, trusted_certs):
    if trusted_certs:
        return list(trusted_certs)
    if conf.glance.enable_certificate_validation:
        return list(conf.glance.default_trusted_certificate_ids) or None
    return None


def _verifier(context, conf, record, trusted):
    """A cursive verifier for ``record``'s signature, after validating
    its signing certificate against ``trusted`` (when given)."""
    props = record.get("properties") or {}
    try:
        verifier = signature_utils.get_verifier(
            context=context,
            img_signature_certificate_uuid=props.get(CERT_UUID),
            img_signature_hash_method=props.get("img_signature_hash_method"),
            img_signature=props.get("img_signature"),
            img_signature_key_type=props.get("img_signature_key_type"))
    except cursive_exception.SignatureVerificationError as err:
        raise exception.ImageSignatureVerificationFailed(
            image_id=record["id"], reason=str(err))
    if trusted:
        try:
            certificate_utils.verify_certificate(
                context=context, certificate_uuid=props[CERT_UUID],
                trusted_certificate_uuids=trusted)
        except cursive_exception.SignatureVerificationError as err:
            raise exception.CertificateValidationFailed(
                cert_uuid=props[CERT_UUID], reason=str(err))
    elif conf.glance.enable_certificate_validation:
        raise exception.CertificateValidationFailed(
            cert_uuid=props[CERT_UUID],
            reason="Certificate validation is enabled, but no trusted "
                   "certificate ids were given.")
    return verifier


def _chunks(context, images, image_id, size=1 << 20):
    path = images.local_path(context, image_id)
    if path is None:
        yield from images.download(context, image_id)
        return
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


def verify(context, conf, images, record, trusted_certs=None):
    """Verify image ``record``'s data when the deployment or the server
    asks for it (see the module's doc); a no-op otherwise.

    :param trusted_certs: the server's trusted certificate ids, or None.
    :raises CertificateValidationFailed: the signing certificate does not
        chain to a trusted one (or none is trusted while validation is
        enabled).
    :raises ImageSignatureVerificationFailed: signature properties are
        missing or unusable, the certificate cannot be read, or the data
        does not match the signature.
    """
    trusted = _trusted(conf, trusted_certs)
    if not trusted and not conf.glance.verify_glance_signatures:
        return
    verifier = _verifier(context, conf, record, trusted)
    for chunk in _chunks(context, images, record["id"]):
        verifier.update(chunk)
    try:
        verifier.verify()
    except cryptography.exceptions.InvalidSignature:
        LOG.error("Image signature verification failed for image %s",
                  record["id"])
        raise exception.ImageSignatureVerificationFailed(
            image_id=record["id"],
            reason="Signature verification for the image failed: the "
                   "signature does not match the image data.")
    LOG.info("Image signature verification succeeded for image %s",
             record["id"])
