"""Compute API microversions: parse the request's, echo the answer.

Both ``OpenStack-API-Version: compute X`` and the legacy
``X-OpenStack-Nova-API-Version: X`` are accepted (the new one wins);
``latest`` means the maximum; no header means the minimum.
"""

import microversion_parse

from nimbus.api.openstack import history
from nimbus.core import exception

MIN_VERSION = (2, 1)
#: what :mod:`history` says is served, one unbroken run from 2.1.
MAX_VERSION = history.max_version()
SERVICE_TYPE = "compute"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"


def text(version):
    return "%d.%d" % version


def requested(headers):
    """Return the (major, minor) the request asks for.

    :raises InvalidAPIVersionString: malformed header (400).
    :raises UnsupportedAPIVersion: out of range (406).
    """
    value = microversion_parse.get_version(
        headers, service_type=SERVICE_TYPE,
        legacy_headers=[LEGACY_HEADER])
    if value is None:
        return MIN_VERSION
    value = value.strip()
    if value == "latest":
        return MAX_VERSION
    try:
        major, minor = (int(p) for p in value.split("."))
    except ValueError:
        raise exception.InvalidAPIVersionString(version=value)
    if not MIN_VERSION <= (major, minor) <= MAX_VERSION:
        raise exception.UnsupportedAPIVersion(
            version=value, min=text(MIN_VERSION), max=text(MAX_VERSION))
    return (major, minor)


def response_headers(version):
    return [("OpenStack-API-Version", f"{SERVICE_TYPE} {text(version)}"),
            (LEGACY_HEADER, text(version)),
            ("Vary", f"OpenStack-API-Version, {LEGACY_HEADER}")]
