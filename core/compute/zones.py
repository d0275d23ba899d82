"""The two availability zones of a server: the one it is in and the one it
is pinned to.

As in Nova, ``Instance.availability_zone`` is the zone of the host the
server was last placed on (``OS-EXT-AZ:availability_zone``, the
``availability_zone`` list filter, EC2's placement): conductor writes it
with the host at create, unshelve and every move. The pin is the zone the
server asked for (the create's, a later unshelve's from 2.77, none after
2.91's unpin): every move stays in it, and 2.96 shows it as
``pinned_availability_zone``. Nova keeps the pin in the request spec;
nimbus keeps no request spec per server, so the pin is the system
metadata key :data:`PIN` (None: not pinned).
"""

#: the system metadata key of the zone a server is pinned to.
PIN = "pinned_availability_zone"


def requested_zone(availability_zone):
    """The zone part of a create's ``zone[:host[:node]]``, None for
    none."""
    return (availability_zone or "").split(":", 1)[0] or None


def pinned(instance):
    """The zone ``instance`` is pinned to, or None.

    A server recorded before the pin was kept apart has no :data:`PIN`:
    its ``availability_zone`` was the pin then (the create's zone, or a
    2.77 unshelve's), until conductor next places it (see
    :func:`place`).
    """
    sysmeta = instance.system_metadata or {}
    if PIN in sysmeta:
        return sysmeta[PIN]
    return requested_zone(instance.availability_zone)


def with_pin(system_metadata, zone):
    """A copy of ``system_metadata`` pinning the server to ``zone`` (None
    unpins it)."""
    return dict(system_metadata or {}, **{PIN: zone})


def place(instance, zone):
    """Set ``instance``'s zone to ``zone`` (its new host's), for the
    caller to save with the host; a server recorded before the pin was
    kept apart gets its pin recorded first, which its zone stops being.
    """
    if PIN not in (instance.system_metadata or {}):
        instance.system_metadata = with_pin(instance.system_metadata,
                                            pinned(instance))
    instance.availability_zone = zone


def host_zone(conf, db, context, host):
    """The zone of ``host``: that of its aggregate that sets one, else
    ``[compute] default_availability_zone``.

    :param db: the database API (its ``aggregates``).
    """
    return or_default(conf, db.aggregates.host_zone(context, host))


def or_default(conf, zone):
    """``zone`` (an aggregate's), or ``[compute]
    default_availability_zone`` for None."""
    return zone or conf.compute.default_availability_zone
