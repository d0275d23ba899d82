"""Which certificates a server's image must be signed under (Compute API
2.63, Nova's rules): the ids a request gives, else the deployment's
``[glance] default_trusted_certificate_ids`` when signature verification
and certificate validation are both on, else none. A volume-backed
server cannot have any (nimbus never reads its image's data)."""

from nimbus.core import exception

_NO_VOLUME_BOOT = ("Image certificate validation is not supported when "
                   "booting from volume")
_NO_VOLUME_REBUILD = ("Image certificate validation is not supported for "
                      "volume-backed servers.")


def _defaults(conf):
    glance = conf.glance
    if glance.verify_glance_signatures and \
            glance.enable_certificate_validation:
        return list(glance.default_trusted_certificate_ids) or None
    return None


def for_request(conf, ids):
    """The ``trusted_certs`` to record: ``ids`` (a non-empty list) or
    the defaults; None for none."""
    return list(ids) if ids else _defaults(conf)


def check_volume_backed(conf, ids, rebuild=False):
    """Refuse certificates for a volume-backed server.

    :raises CertificateValidationFailed: (400) ``ids`` or the defaults
        name certificates.
    """
    if for_request(conf, ids):
        raise exception.CertificateValidationFailed(
            message=_NO_VOLUME_REBUILD if rebuild else _NO_VOLUME_BOOT)
