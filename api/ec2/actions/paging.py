"""Keyset paging for Describe* actions: ``MaxResults`` is the compute
list's ``limit``, ``NextToken`` carries its ``marker`` (the uuid of the
last item of the previous page), opaque to the client.

Filters the list query cannot apply are applied here, batch by batch,
so a page holds up to ``MaxResults`` *matching* items and the token
points just after the last one: every item is answered exactly once
whatever the filters.

Lists fetched whole (volumes, snapshots, tags) page with :func:`keyed`:
ordered by EC2 id, the token carrying the last id answered.
"""

import base64
import binascii
import json

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


def id_order(ec2_id):
    """A sort key of EC2 ids in number order (``vol-100000000`` after
    ``vol-ffffffff``)."""
    return (f"{len(ec2_id):03d}", ec2_id)


def keyed(items, params, key, limit_max=1000):
    """``(page, next_token)`` of ``items`` (every match, already listed)
    in the order of ``key(item)``, a tuple of strings unique per item.
    The token carries the last key answered, so items added or deleted
    between pages shift nothing: each item there for the whole walk is
    answered exactly once.

    :raises Ec2Error: ``InvalidParameterValue``: a bad ``MaxResults`` or
        a token this API did not make.
    """
    size = params.integer("MaxResults", minimum=5, maximum=limit_max)
    token = params.get("NextToken")
    items = sorted(items, key=key)
    if token:
        after = _decode_key(token, len(key(items[0])) if items else None)
        items = [i for i in items if key(i) > after]
    if size is None or len(items) <= size:
        return items, None
    return items[:size], _encode_key(key(items[size - 1]))


def _encode_key(key):
    raw = ("k1:" + json.dumps(list(key))).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_key(token, length):
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        key = json.loads(raw[3:]) if raw.startswith("k1:") else None
    except (binascii.Error, ValueError, UnicodeError):
        key = None
    if not isinstance(key, list) or not all(
            isinstance(part, str) for part in key) or \
            length not in (None, len(key)):
        raise bad_token(token)
    return tuple(key)


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
