"""[all] options: the embedded single-process deployment (nimbus-all)."""

from oslo_config import cfg

group = cfg.OptGroup("all", title="nimbus-all options")

opts = [
    cfg.ListOpt("compute_hosts", default=["fake-1", "fake-2", "fake-3"],
                help="""
Compute hosts nimbus-all runs in its one process, each a compute service
with its own hypervisor plugin instance (with the fake plugin, each is an
independent virtual host).
"""),
    cfg.BoolOpt("seed", default=True,
                help="Create default flavors and a demo image when the "
                     "database is empty."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
