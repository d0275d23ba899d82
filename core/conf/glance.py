"""[glance] options: image signature verification and certificate
validation on compute hosts (Nova's names, so a Nova operator's settings
carry over). The key manager holding the certificates is castellan's
``[key_manager]`` and, for Barbican, ``[barbican]``."""

from oslo_config import cfg

group = cfg.OptGroup("glance", title="Image signature verification")

opts = [
    cfg.BoolOpt("verify_glance_signatures", default=False, help="""
Verify the signature of every image a compute host boots a server from.

The image's ``img_signature``, ``img_signature_hash_method``,
``img_signature_key_type`` and ``img_signature_certificate_uuid``
properties say how its data was signed; the signing certificate comes
from the key manager (castellan, ``[key_manager] backend``). An image
whose signature does not match its data, or that lacks any of these
properties, is not booted: the server goes to ERROR with the reason as
its fault.

Related options:

* ``[key_manager]`` and ``[barbican]``: where certificates are read.
* ``enable_certificate_validation`` and
  ``default_trusted_certificate_ids`` depend on this option.
"""),
    cfg.BoolOpt("enable_certificate_validation", default=False, help="""
Validate an image's signing certificate before verifying its signature.

The signing certificate must chain to one of the server's trusted
certificates (``trusted_image_certificates``, Compute API 2.63, or
``default_trusted_certificate_ids``); otherwise the server goes to ERROR.
With this option off, certificates a user gives are still validated
(a user who asks for validation gets it); without any, none is done.

Related options:

* Takes effect only with ``verify_glance_signatures``.
"""),
    cfg.ListOpt("default_trusted_certificate_ids", default=[], help="""
Key manager ids of the certificates trusted when a request gives none.

Recorded on a server created or rebuilt without
``trusted_image_certificates`` when both ``verify_glance_signatures`` and
``enable_certificate_validation`` are on. Left empty with validation
enabled, every request must give its own list, or builds fail.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
