"""[scheduler] options: which filters and weighers run, in what order."""

from oslo_config import cfg

group = cfg.OptGroup("scheduler", title="Scheduler service options")

opts = [
    cfg.ListOpt("enabled_filters", default=["compute", "resources"],
                help="""
Filters run on every request, in this order (entry points in the
``nimbus.scheduler.filters`` group). A host must pass all of them.
"""),
    cfg.ListOpt("enabled_weighers", default=["ram"],
                help="""
Weighers that rank the hosts left after filtering (entry points in the
``nimbus.scheduler.weighers`` group).
"""),
    cfg.IntOpt("max_alternates", default=2, min=0,
               help="Alternate hosts returned with each selection."),
    cfg.IntOpt("claim_retries", default=8, min=1,
               help="Times a claim is retried when a compute node changed "
                    "under it (optimistic generation check)."),
    cfg.IntOpt("host_subset_size", default=1, min=1,
               help="Pick randomly among this many best-weighed hosts, to "
                    "spread concurrent requests."),
    cfg.FloatOpt("ram_weight_multiplier", default=1.0,
                 help="Multiplier of the RAM weigher: positive spreads, "
                      "negative stacks."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
