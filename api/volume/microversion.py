"""Block Storage microversions: parse the request's, echo the answer.

Cinder's clients send ``OpenStack-API-Version: volume 3.x`` (openstacksdk
negotiates it from the version document); ``latest`` means the maximum
and no header the minimum, 3.0. 3.42 lets an in-use volume be extended;
from 3.66 a snapshot of an in-use volume needs no ``force``.
"""

import microversion_parse

from nimbus.core import exception

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)
SERVICE_TYPE = "volume"

#: extending an attached (in-use) volume.
EXTEND_IN_USE = (3, 42)
#: snapshots of in-use volumes without ``force``; ``force: false`` refused.
SNAPSHOT_IN_USE = (3, 66)


def text(version):
    return "%d.%d" % version


def requested(headers):
    """Return the (major, minor) the request asks for.

    :raises InvalidAPIVersionString: malformed header (400).
    :raises UnsupportedAPIVersion: out of range (406, as Cinder).
    """
    value = microversion_parse.get_version(headers,
                                           service_type=SERVICE_TYPE)
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
            ("Vary", "OpenStack-API-Version")]
