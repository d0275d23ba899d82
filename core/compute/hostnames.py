"""A server's hostname: what the metadata service and DHCP hand its
guest. Recorded at create (``instances.hostname``): the one the user
gave (2.90; an FQDN from 2.94) or one made from the display name by
Nova's rules; changed only by an update or rebuild that gives one."""

import re

#: dnsmasq's limit, the shortest of the resolvers' (Nova's choice).
MAX_DERIVED = 63


def from_display_name(name, uuid, index=None):
    """The hostname Nova makes of a display name: characters beyond
    Latin-1 dropped, cut to 63 characters, spaces, underscores and dots
    turned into dashes, anything else but word characters and dashes
    dropped, lower case, no leading or trailing dots and dashes;
    ``Server-<uuid>`` when nothing is left. ``index`` (0-based) is the
    server's place in a multi-create, suffixed as ``-<index + 1>``."""
    cleaned = (name or "").encode("latin-1", "ignore").decode("latin-1")
    cleaned = re.sub(r"[ _.]", "-", cleaned[:MAX_DERIVED])
    cleaned = re.sub(r"[^\w.-]+", "", cleaned).lower().strip(".-")
    if not cleaned:
        return f"Server-{uuid}"
    return cleaned if index is None else f"{cleaned}-{index + 1}"


def of(instance):
    """The instance's hostname (one made from its name for a server
    recorded before hostnames were)."""
    try:
        given = instance.hostname
    except (AttributeError, NotImplementedError):  # not loaded
        given = None
    return given or from_display_name(instance.display_name, instance.uuid)


def dhcp_name(hostname):
    """The name DHCP hands the guest: the first label of an FQDN."""
    return (hostname or "").split(".", 1)[0]
