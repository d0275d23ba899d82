"""[consoleauth] options: the tokens that open remote consoles."""

from oslo_config import cfg

group = cfg.OptGroup("consoleauth", title="Console authorization tokens")

opts = [
    cfg.IntOpt("token_ttl", default=600, min=0,
               help="""
Seconds a remote console URL (its token) works after it is handed out.
A client must open the console within this time; expired tokens are
refused by the console proxy and purged.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
