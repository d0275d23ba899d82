"""Host aggregates and availability zones, for API dialects.

Aggregates never cross RPC (only the API and schedulers read them, both
with database access), so these are plain functions over
``db().aggregates`` returning ``dict`` rows, with the checks Nova makes.
"""

from nimbus.core import exception, servicegroup
from nimbus.core.objects.base import db


def create(context, name, availability_zone=None):
    return db().aggregates.create(context, name, availability_zone)


def get(context, aggregate_id):
    return db().aggregates.get(context, aggregate_id)


def get_all(context):
    return db().aggregates.get_all(context)


def update(context, aggregate_id, values):
    return db().aggregates.update_aggregate(context, aggregate_id, values)


def delete(context, aggregate_id):
    db().aggregates.delete_aggregate(context, aggregate_id)


def add_host(context, aggregate_id, host):
    return db().aggregates.add_host(context, aggregate_id, host)


def remove_host(context, aggregate_id, host):
    return db().aggregates.remove_host(context, aggregate_id, host)


def set_metadata(context, aggregate_id, metadata):
    return db().aggregates.set_metadata(context, aggregate_id, metadata)


def availability_zones(context, conf):
    """Return ``{zone: {"available": bool, "hosts": {host: state}}}``.

    Compute hosts in no zone aggregate are in
    ``[compute] default_availability_zone``; a zone is available when any
    of its compute services is enabled and up.
    """
    zone_of = {}
    for agg in get_all(context):
        if agg["availability_zone"]:
            for host in agg["hosts"]:
                zone_of[host] = agg["availability_zone"]
    zones = {}
    default = conf.compute.default_availability_zone
    for service in db().services.get_all(context, binary="nimbus-compute"):
        zone = zones.setdefault(zone_of.get(service["host"], default),
                                {"hosts": {}, "available": False})
        up = servicegroup.is_up(conf, service)
        zone["hosts"][service["host"]] = {
            "active": not service["disabled"], "available": up,
            "updated_at": service["updated_at"]}
        zone["available"] |= up and not service["disabled"]
    return zones


def check_zone_name(zone):
    """:raises Invalid: the zone name is empty or contains ``:``."""
    if zone is not None and (not zone.strip() or ":" in zone):
        raise exception.Invalid(
            reason="availability zone must be non-empty and contain no ':'")
