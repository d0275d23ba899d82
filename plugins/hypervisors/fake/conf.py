"""[fake] options of the fake hypervisor plugin."""

from oslo_config import cfg

group = cfg.OptGroup("fake", title="Fake hypervisor options")

opts = [
    cfg.IntOpt("vcpus", default=64, min=1,
               help="Physical CPUs each virtual host reports."),
    cfg.IntOpt("memory_mb", default=262144, min=1,
               help="RAM (MiB) each virtual host reports."),
    cfg.IntOpt("local_gb", default=4096, min=1,
               help="Disk (GiB) each virtual host reports."),
    cfg.DictOpt("host_capacity", default={},
                help="""
Per-host capacity overriding ``vcpus``/``memory_mb``/``local_gb``, as
``host:vcpus/memory_mb/local_gb`` pairs, e.g. ``fake-1:4/8192/100``.
"""),
    cfg.DictOpt("latency", default={},
                help="""
Seconds each operation sleeps before acting, e.g. ``spawn:0.5,destroy:0.1``.
Operations: spawn, destroy, reboot, power_off, power_on, pause, unpause,
suspend, resume, migrate_disk_and_power_off, finish_migration,
confirm_migration, finish_revert_migration. ``live_migration`` is the
whole copy of a live migration (ten progress steps), which an abort or a
force-complete cuts short: e.g. ``live_migration:600`` keeps migrations
running long enough to control them.
"""),
    cfg.ListOpt("fail_hosts", default=[],
                help="Hosts on which the operations in ``fail_ops`` fail."),
    cfg.ListOpt("fail_ops", default=["spawn"],
                help="Operations that fail on ``fail_hosts``."),
    cfg.ListOpt("disabled_capabilities", default=[],
                help="""
Capabilities the fake hypervisor does NOT declare, to test a plugin that
lacks them: its operations then raise UnsupportedOperation as a real
plugin's would. Each item is a capability name (every host) or
``host:name`` (one host), e.g. ``fake-2:pause,fake-2:suspend``. Names:
soft_reboot, pause, suspend, console_log, disk_hotplug, direct_kernel_boot,
lifecycle_events, cold_migration, vnc_console (any Capabilities field).
"""),
    cfg.BoolOpt("persist", default=True,
                help="""
Keep each host's guests in ``$state_path/fake/<host>.json`` so they survive a
restart of the compute service, as real guests do.
"""),
]


def register_opts(conf):
    # A fresh OptGroup per ConfigOpts: oslo.config copies groups shallowly,
    # so sharing the module's object would share overrides between confs.
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]
