"""The database API: plain functions over the models, grouped by area.

Functions take a :class:`~nimbus.core.context.RequestContext` first and
return plain ``dict`` rows, never ORM objects, so nothing outside this
package holds a session. Versioned objects wrap these rows.
"""

from nimbus.core.db.api import (
           actions,
           aggregates,
           compute_nodes,
           flavors,
           host_states,
           identity,
           instances,
           keypairs,
           quotas,
           server_groups,
           services,
)

__all__ = ["actions", "aggregates", "compute_nodes", "flavors",
           "host_states", "identity", "instances", "keypairs", "quotas",
           "server_groups", "services"]
