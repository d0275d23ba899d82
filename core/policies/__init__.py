"""Default policy rules of nimbus, one module per area.

:func:`list_rules` is registered under the ``oslo.policy.policies`` entry
point as ``nimbus``, so ``oslopolicy-sample-generator --namespace nimbus``
prints every rule with its default.

Default roles follow Keystone's: ``admin`` (cloud-wide), ``member``
(read and write in its project) and ``reader`` (read only in its
project). Roles imply each other (admin > member > reader) when tokens
are made, so the rules name the weakest role that suffices.
"""

import itertools

from nimbus.core.policies import (
    base,
    compute_admin,
    compute_network,
    consoles,
    flavors,
    identity,
    image_actions,
    images,
    migrations,
    networks,
    placement_groups,
    servers,
    tenant,
    volumes,
)


def list_rules():
    return list(itertools.chain(
        base.list_rules(), servers.list_rules(), image_actions.list_rules(), flavors.list_rules(),
        tenant.list_rules(), compute_admin.list_rules(),
        placement_groups.list_rules(), identity.list_rules(),
        images.list_rules(), compute_network.list_rules(),
        networks.list_rules(), volumes.list_rules(),
        migrations.list_rules(), consoles.list_rules()))
