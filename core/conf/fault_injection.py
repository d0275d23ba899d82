"""[fault_injection] options: test-only hooks, off by default."""

from oslo_config import cfg

group = cfg.OptGroup("fault_injection",
                     title="Test-only hooks (leave unset)")

opts = [
    cfg.ListOpt("pause_at", default=[],
                help="""
For tests of crash recovery only: names of workflow steps
(``nimbus.core.fault_injection.STEPS``) at which this service stops working on the
request: it logs ``paused at <step>`` and sleeps until it is killed, so a
test can SIGKILL it at exactly that step. ``<step>:<n>`` pauses only the
n-th time the process reaches the step. Never set in production.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
