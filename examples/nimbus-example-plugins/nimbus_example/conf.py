"""[example] options of the example plugins.

Each plugin registers the group on the ``ConfigOpts`` it is given;
``list_opts`` feeds ``oslo-config-generator`` through the
``oslo.config.opts`` entry point ``nimbus_example``.
"""

from oslo_config import cfg

GROUP = "example"

opts = [
    cfg.ListOpt("reject_hosts", default=[],
                help="Compute hosts the ``example_reject`` scheduler "
                     "filter removes from every request."),
    cfg.StrOpt("state_dir", default="$state_path/example",
               help="Directory where the ``example`` hypervisor keeps "
                    "one JSON file of guests per compute host, so they "
                    "are found again after a restart."),
]


def register_opts(conf):
    """Register ``[example]`` on ``conf``; safe to call more than once.

    :param conf: an ``oslo_config.cfg.ConfigOpts``.
    """
    # A fresh OptGroup per ConfigOpts: a shared one would share state.
    conf.register_group(cfg.OptGroup(GROUP, title="Example plugins"))
    conf.register_opts(opts, group=GROUP)


def list_opts():
    """:returns: ``[(group name, options)]`` for the config generator."""
    return [(GROUP, opts)]
