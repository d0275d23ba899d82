"""[conductor] options: build workflows."""

from oslo_config import cfg

group = cfg.OptGroup("conductor", title="Conductor service options")

opts = [
    cfg.IntOpt("max_build_attempts", default=3, min=1,
               help="""
Hosts one build may be tried on: the first choice plus alternates after
retryable build failures. 1 disables rescheduling.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
