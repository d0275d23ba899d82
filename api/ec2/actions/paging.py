"""Keyset paging for Describe* actions: ``MaxResults`` is the compute
list's ``limit``, ``NextToken`` carries its ``marker`` (the uuid of the
last item of the previous page), opaque to the client.

Filters the list query cannot apply are applied here, batch by batch,
so a page holds up to ``MaxResults`` *matching* items and the token
points just after the last one: every item is answered exactly once
whatever the filters.
"""

import base64
import binascii

from oslo_utils import uuidutils

from nimbus.core import exception

_VERSION = "1:"


def encode_token(marker):
    """The NextToken for a page ending at ``marker`` (a uuid)."""
    raw = (_VERSION + marker).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token):
    """The marker uuid inside ``token``.

    :raises Ec2Error: ``InvalidParameterValue``: not a token this API
        made.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, ValueError, UnicodeError):
        raw = ""
    marker = raw[len(_VERSION):] if raw.startswith(_VERSION) else ""
    if not uuidutils.is_uuid_like(marker):
        raise bad_token(token)
    return marker


def bad_token(token):
    return exception.Ec2Error("InvalidParameterValue",
                              f"Invalid NextToken: {token[:64]}")


def request(params, limit_max=1000):
    """``(page size or None, marker or None)`` of the request."""
    size = params.integer("MaxResults", minimum=5, maximum=limit_max)
    token = params.get("NextToken")
    return size, (decode_token(token) if token else None)


def walk(fetch, keep, size, marker):
    """One page: ``(items, next marker or None)``.

    :param fetch: ``fetch(limit, marker)`` lists items after ``marker``
        in a stable order (``limit`` None: all of them).
    :param keep: ``keep(batch)`` returns the batch's items that match
        what the list query could not filter (in order).
    :param size: the page size; None: every item, one answer.
    """
    if size is None:
        return keep(fetch(None, marker)), None
    found = []
    while True:
        # One more than the page: whether a next page exists is known
        # without an empty last page.
        batch = fetch(size + 1, marker)
        found.extend(keep(batch))
        if len(found) > size:
            return found[:size], found[size - 1].uuid
        if len(batch) < size + 1:
            return found, None
        marker = batch[-1].uuid
