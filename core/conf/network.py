"""[network] options: the network plugin."""

from oslo_config import cfg

group = cfg.OptGroup("network", title="Network service options")

opts = [
    cfg.StrOpt("plugin", default="fake",
               help="Network plugin (an entry point in ``nimbus.networks``)."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
