"""[compute] options: the hypervisor plugin and the compute manager."""

from oslo_config import cfg

group = cfg.OptGroup("compute", title="Compute service options")

opts = [
    cfg.StrOpt("hypervisor", default="fake",
               help="""
Hypervisor plugin this compute host runs (an entry point in the
``nimbus.hypervisors`` group).

Possible values:

* ``fake``: in-memory guests, for development, tests and scale runs.
* ``libvirt``: real guests through libvirt (see ``[libvirt] virt_type``).
"""),
    cfg.IntOpt("resource_report_interval", default=60, min=1,
               help="Seconds between inventory reports to the database."),
    cfg.IntOpt("sync_power_state_interval", default=60, min=-1,
               help="""
Seconds between runs of the power-state sync, which makes the database
agree with the hypervisor. -1 disables it.
"""),
    cfg.FloatOpt("cpu_allocation_ratio", default=4.0, min=0.0,
                 help="Virtual CPUs allowed per physical CPU."),
    cfg.FloatOpt("ram_allocation_ratio", default=1.0, min=0.0,
                 help="Virtual RAM allowed per MiB of physical RAM."),
    cfg.FloatOpt("disk_allocation_ratio", default=1.0, min=0.0,
                 help="Virtual disk allowed per GiB of physical disk."),
    cfg.IntOpt("reserved_host_memory_mb", default=512, min=0,
               help="RAM kept back for the host itself."),
    cfg.IntOpt("reserved_host_disk_mb", default=0, min=0,
               help="Disk kept back for the host itself."),
    cfg.IntOpt("reserved_host_cpus", default=0, min=0,
               help="CPUs kept back for the host itself."),
    cfg.IntOpt("instance_build_timeout", default=0, min=0,
               help="Seconds a build may take before it is failed (0: no "
                    "limit)."),
    cfg.StrOpt("default_availability_zone", default="nova",
               help="Availability zone of hosts not in a zone aggregate."),
    cfg.BoolOpt("allow_resize_to_same_host", default=False,
                help="""
Let a resize land on the host the server is on (the scheduler may then
pick it). Cold migration always leaves the host.
"""),
    cfg.IntOpt("resize_confirm_window", default=0, min=0,
               help="""
Seconds after which a finished resize or cold migration that nobody
confirmed or reverted is confirmed automatically (0: never).
"""),
    cfg.IntOpt("shelved_offload_time", default=0, min=-1,
               help="Seconds a shelved server keeps its host before it is "
                    "offloaded (its guest removed and its resources "
                    "freed): 0 offloads at once, -1 never."),
    cfg.IntOpt("shelved_poll_interval", default=3600, min=-1,
               help="Seconds between checks for shelved servers due for "
                    "offloading (-1: never)."),
    cfg.StrOpt("default_rescue_image", default=None,
               help="Image id rescue boots from when the request names "
                    "none (unset: the server's own image)."),
    cfg.IntOpt("reimage_timeout_per_gb", default=20, min=1,
               help="""
Seconds per GiB of the root volume a compute waits for the volume service
to write a new image onto it when it rebuilds a volume-backed server with
another image (Compute API 2.93); past it the rebuild fails and the server
goes to ERROR.

Possible values: a positive number of seconds (Nova's default, 20).

Related options: none.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
