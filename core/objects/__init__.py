"""Versioned objects: what crosses RPC between nimbus services.

Objects never import the database layer. A process allowed to use the
database sets ``NimbusObject.db_api`` once at start-up (through
:func:`nimbus.core.db.setup.use_database`); in the compute service it stays
``None`` and remotable methods run on conductor instead (object
indirection, ``NimbusObject.indirection_api``).
"""


def register_all():
    """Import every object module so the registry knows all classes."""
    from nimbus.core.interfaces import request_spec  # noqa: F401
    from nimbus.core.objects import (  # noqa: F401
        aggregate,
        compute_node,
        console_auth_token,
        flavor,
        instance,
        instance_action,
        instance_group,
        migration,
        service,
        volume_connection,
    )
