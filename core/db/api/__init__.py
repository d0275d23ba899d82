"""The database API: plain functions over the models, grouped by area.

Functions take a :class:`~nimbus.core.context.RequestContext` first and
return plain ``dict`` rows, never ORM objects, so nothing outside this
package holds a session. Versioned objects wrap these rows.
"""

from nimbus.core.db import engine
from nimbus.core.db.api import (
    actions,
    aggregates,
    block_devices,
    compute_nodes,
    console_tokens,
    ec2,
    flavors,
    floating_ips,
    host_states,
    identity,
    instance_tags,
    instances,
    keypairs,
    migrations,
    networks,
    passwords,
    ports,
    quotas,
    security_groups,
    server_groups,
    services,
    volume_types,
    volumes,
)

__all__ = ["actions", "aggregates", "block_devices", "compute_nodes",
           "console_tokens", "ec2",
           "flavors", "floating_ips", "host_states", "identity",
           "instance_tags", "instances", "keypairs",
           "migrations", "networks", "passwords",
           "ports",
           "quotas",
           "security_groups",
           "server_groups", "services", "volume_types", "volumes",
           "reading", "writing"]


def reading(context):
    """``with reading(ctx):`` the functions called inside with the same
    context read in one transaction: one connection, one snapshot,
    instead of a session each (for callers that gather one answer from
    several reads)."""
    return engine.reader(context)


def writing(context):
    """``with writing(ctx):`` the functions called inside with the same
    context write in one transaction (and commit or roll back together):
    one write lock and one commit instead of one each, on SQLite where
    writers take turns. Whatever raises inside rolls all of them back."""
    return engine.writer(context)
