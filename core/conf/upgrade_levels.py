"""[upgrade_levels] options: RPC version caps for rolling upgrades."""

from oslo_config import cfg

group = cfg.OptGroup("upgrade_levels", title="RPC version caps", help="""
During a rolling upgrade, services of the new release talk to services of
the previous one. Capping a service's RPC API here makes every client of
it send only messages (and request shapes) that version understands.
Upgrade the controller (api, conductor, scheduler) first with the caps set
to the versions the old services speak, then the computes, then remove the
caps and restart the controller.
""")

_VERSION = r"^\d+\.\d+$"

opts = [
    cfg.StrOpt("compute", regex=_VERSION,
               help="""
Highest compute RPC API version to send (e.g. ``1.0`` while computes of
the previous release are still running). Unset: the newest this code
knows.
"""),
    cfg.StrOpt("conductor", regex=_VERSION,
               help="""
Highest conductor RPC API version to send (set on computes upgraded
before the conductor, which the recommended order avoids). Unset: the
newest this code knows.
"""),
    cfg.StrOpt("network", regex=_VERSION,
               help="""
Highest network RPC API version to send (set on computes and API
services while a nimbus-network of the previous release still runs).
Unset: the newest this code knows.
"""),
    cfg.StrOpt("scheduler", regex=_VERSION,
               help="""
Highest scheduler RPC API version to send (set on conductors while a
scheduler of the previous release is still running). Unset: the newest
this code knows.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
