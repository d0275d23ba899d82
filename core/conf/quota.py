"""[quota] options: default per-project limits (-1 means unlimited)."""

from oslo_config import cfg

group = cfg.OptGroup("quota", title="Quota options")

_DEFAULTS = (
    ("instances", 10, "Servers per project."),
    ("cores", 20, "Virtual CPUs per project."),
    ("ram", 51200, "Megabytes of RAM per project."),
    ("key_pairs", 100, "Key pairs per user."),
    ("metadata_items", 128, "Metadata items per server."),
    ("server_groups", 10, "Server groups per project."),
    ("server_group_members", 10, "Servers per server group."),
    # Networking (Neutron's names and defaults).
    ("network", 100, "Networks per project."),
    ("port", 500, "Ports per project."),
    ("floatingip", 50, "Floating IPs per project."),
    ("security_group", 10, "Security groups per project."),
    ("security_group_rule", 100, "Security group rules per project."),
    ("volumes", 10, "Volumes per project."),
    ("gigabytes", 1000, "GiB of volumes and snapshots per project."),
    ("snapshots", 10, "Volume snapshots per project."),
)

opts = [cfg.IntOpt(name, default=default, min=-1,
                   help=text + " -1 means unlimited. A project's own "
                   "quota (``os-quota-sets``) overrides this default.")
        for name, default, text in _DEFAULTS]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
