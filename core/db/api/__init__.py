"""The database API: plain functions over the models, grouped by area.

Functions take a :class:`~nimbus.core.context.RequestContext` first and
return plain ``dict`` rows, never ORM objects, so nothing outside this
package holds a session. Versioned objects wrap these rows.
"""

from oslo_db import exception as db_exc

from nimbus.core import exception
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
    port_batches,
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
           "port_batches", "ports",
           "quotas",
           "security_groups",
           "server_groups", "services", "volume_types", "volumes",
           "reading", "writing", "writing_retried"]


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


def writing_retried(context, work, attempts=5):
    """``work()`` inside :func:`writing`, run again from its start when
    the database rolled the transaction back on a deadlock or a function
    inside raised :class:`~nimbus.core.exception.TransactionLost`;
    returns what ``work`` returns. ``work`` must do nothing outside the
    transaction that a second run would repeat.

    :raises TransactionLost: still lost after ``attempts`` runs.
    """
    for _attempt in range(attempts - 1):
        try:
            with writing(context):
                return work()
        except (exception.TransactionLost, db_exc.DBDeadlock):
            continue
    with writing(context):
        return work()
