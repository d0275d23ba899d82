"""[volume] options: the volume plugin and its export target."""

from oslo_config import cfg

group = cfg.OptGroup("volume", title="Volume service options")

opts = [
    cfg.StrOpt("plugin", default="fake",
               help="Volume plugin (an entry point in ``nimbus.volumes``)."),
    cfg.StrOpt("target", default="fake",
               help="Export target (an entry point in "
                    "``nimbus.volumes.targets``)."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
