"""Versioned objects: what crosses RPC between nimbus services.

Objects never import the database layer. Processes allowed to use the
database hand it in with :func:`nimbus.core.objects.base.use_database`;
in the compute service no database is handed in and remotable methods run
on conductor instead (object indirection).
"""


def register_all():
    """Import every object module so the registry knows all classes."""
    from nimbus.core.interfaces import request_spec  # noqa: F401
    from nimbus.core.objects import (  # noqa: F401
        compute_node,
        flavor,
        instance,
        instance_action,
        service,
    )
