"""[scheduler] options: which filters and weighers run, in what order."""

from oslo_config import cfg

group = cfg.OptGroup("scheduler", title="Scheduler service options")

opts = [
    cfg.ListOpt("enabled_filters",
                default=["compute", "resources", "availability_zone",
                         "image_properties", "compute_capabilities",
                         "server_group_anti_affinity",
                         "server_group_affinity", "same_host",
                         "different_host"],
                help="""
Filters run on every request, in this order (entry points in the
``nimbus.scheduler.filters`` group). A host must pass all of them; put
cheap, selective filters first.

Possible values: names listed by ``nimbus plugin list``, e.g. compute,
resources, availability_zone, image_properties, compute_capabilities,
aggregate_instance_extra_specs, aggregate_multitenancy_isolation,
server_group_affinity, server_group_anti_affinity, same_host,
different_host, num_instances, io_ops, json, and all_hosts (the no-op
filter: it passes every host).
"""),
    cfg.ListOpt("enabled_weighers",
                default=["ram", "cpu", "disk", "io_ops", "build_failure",
                         "soft_affinity", "soft_anti_affinity"],
                help="""
Weighers that rank the hosts left after filtering (entry points in the
``nimbus.scheduler.weighers`` group): ram, cpu, disk, num_instances,
io_ops, build_failure, soft_affinity, soft_anti_affinity.

Related options: the ``*_weight_multiplier`` options.
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
                      "negative stacks. An aggregate's metadata key of "
                      "the same name overrides every multiplier for its "
                      "hosts."),
    cfg.FloatOpt("cpu_weight_multiplier", default=1.0,
                 help="Multiplier of the CPU weigher (free vCPUs)."),
    cfg.FloatOpt("disk_weight_multiplier", default=1.0,
                 help="Multiplier of the disk weigher (free disk)."),
    cfg.FloatOpt("io_ops_weight_multiplier", default=-1.0,
                 help="Multiplier of the I/O ops weigher; negative "
                      "prefers hosts with fewer builds in progress."),
    cfg.FloatOpt("num_instances_weight_multiplier", default=0.0,
                 help="Multiplier of the instance count weigher; "
                      "negative spreads by count."),
    cfg.FloatOpt("build_failure_weight_multiplier", default=1000000.0,
                 help="Multiplier of the build failure weigher: large, so "
                      "a host whose builds fail is used last."),
    cfg.FloatOpt("soft_affinity_weight_multiplier", default=1.0,
                 min=0.0,
                 help="Multiplier of the soft-affinity weigher."),
    cfg.FloatOpt("soft_anti_affinity_weight_multiplier", default=1.0,
                 min=0.0,
                 help="Multiplier of the soft-anti-affinity weigher."),
    cfg.IntOpt("max_instances_per_host", default=50, min=1,
               help="Instances a host may hold (num_instances filter); "
                    "an aggregate's ``max_instances_per_host`` "
                    "metadata overrides it."),
    cfg.IntOpt("max_io_ops_per_host", default=8, min=1,
               help="Concurrent builds, resizes and snapshots a host may "
                    "run (io_ops filter); an aggregate's "
                    "``max_io_ops_per_host`` metadata overrides it."),
    cfg.IntOpt("full_refresh_interval", default=60, min=1,
               help="Seconds between full reloads of the host-state "
                    "cache; in between only changed rows are read."),
    cfg.FloatOpt("change_margin", default=0.5, min=0.0,
                 help="Seconds of overlap when reading rows changed since "
                      "the last refresh (covers transactions that commit "
                      "after their timestamp was taken, and clock skew "
                      "between scheduler hosts). A change missed costs a "
                      "claim conflict and a re-read, never an "
                      "over-commit."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
