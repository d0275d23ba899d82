"""Checks of what callers ask of the volume API (Cinder's limits); each
raises :class:`~nimbus.core.exception.InvalidInput` or
:class:`~nimbus.core.exception.InvalidVolumeSize` with the reason."""

import json

from nimbus.core import exception

#: what names, metadata keys and values may hold (Cinder's limits).
_META_LEN = 255
_NAME_LEN = 255


def check_size(size, minimum, maximum):
    """``size`` (GiB) as an int, at least ``minimum`` and at most
    ``maximum``."""
    if isinstance(size, str) and size.strip().isascii() and \
            size.strip().isdigit():
        size = int(size)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise exception.InvalidVolumeSize(
            reason=f"Volume size '{size}' must be an integer and "
                   f"greater than 0")
    if size < minimum:
        raise exception.InvalidVolumeSize(
            reason=f"Volume size {size}GB cannot be smaller than the "
                   f"source's {minimum}GB.")
    if size > maximum:
        raise exception.InvalidVolumeSize(
            reason=f"Volume size {size}GB is above the maximum "
                   f"{maximum}GB.")
    return size


def check_text(name, description):
    if name is not None and (not isinstance(name, str)
                             or len(name) > _NAME_LEN):
        raise exception.InvalidInput(
            reason=f"Name must be a string of at most {_NAME_LEN} "
                   f"characters.")
    if description is not None and not isinstance(description, str):
        raise exception.InvalidInput(
            reason="Description must be a string.")


def check_metadata(metadata):
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise exception.InvalidInput(reason="Metadata must be an object.")
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or len(key) > _META_LEN:
            raise exception.InvalidInput(
                reason=f"Metadata key {key!r} must be a string of 1 to "
                       f"{_META_LEN} characters.")
        if not isinstance(value, str) or len(value) > _META_LEN:
            raise exception.InvalidInput(
                reason=f"Metadata value of {key!r} must be a string of "
                       f"at most {_META_LEN} characters.")
    return dict(metadata)


def changes(changes, allowed):
    """The row values of an update request that may change only
    ``allowed`` fields."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise exception.InvalidInput(
            reason=f"Cannot change {', '.join(sorted(unknown))}.")
    check_text(changes.get("name"), changes.get("description"))
    values = {}
    if "name" in changes:
        values["display_name"] = changes["name"]
    if "description" in changes:
        values["display_description"] = changes["description"]
    if "metadata" in changes:
        values["metadata_json"] = json.dumps(
            check_metadata(changes["metadata"]))
    if "bootable" in changes:
        if not isinstance(changes["bootable"], bool):
            raise exception.InvalidInput(
                reason="bootable must be true or false.")
        values["bootable"] = changes["bootable"]
    return values


def check_connector(connector):
    if not isinstance(connector, dict) or not connector.get("host"):
        raise exception.InvalidInput(
            reason="The connector must be an object naming the host.")
