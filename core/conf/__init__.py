"""nimbus's configuration: one module per option group.

Importing this package registers every core group on the global
``cfg.CONF`` (oslo.messaging 18 reads its options from the global object,
so nimbus uses it too). Plugins register their own groups from their own
``conf.py`` when they are loaded.
"""

from oslo_config import cfg

from nimbus.core.conf import all as all_
from nimbus.core.conf import (
    api,
    compute,
    conductor,
    consoleauth,
    database,
    default,
    ec2,
    fault_injection,
    glance,
    identity,
    images,
    metrics,
    network,
    notifications,
    quota,
    scheduler,
    security_compliance,
    upgrade_levels,
    vnc,
    volume,
)

CONF = cfg.CONF

_MODULES = (default, api, compute, conductor, database, scheduler, images,
            all_, identity, quota, upgrade_levels, network, volume, metrics,
            ec2, security_compliance, notifications, fault_injection,
            consoleauth, vnc, glance)

for _module in _MODULES:
    _module.register_opts(CONF)
