"""[all] options: the embedded single-process deployment (nimbus-all)."""

from oslo_config import cfg

group = cfg.OptGroup("all", title="nimbus-all options")

opts = [
    cfg.ListOpt("compute_hosts", default=["fake-1", "fake-2", "fake-3"],
                help="""
Compute hosts nimbus-all runs in its one process, each a compute service
with its own hypervisor plugin instance (with the fake plugin, each is an
independent virtual host).
"""),
    cfg.IntOpt("fleet_hosts", default=0, min=0,
               help="""
Virtual compute hosts of the fake hypervisor served by one compute fleet
in nimbus-all's process, named ``<fleet_host_prefix><n>`` for n from 1,
besides ``compute_hosts``. Each is a compute host to the rest of the
system (service record, heartbeat, inventory, periodic tasks, RPC target
``compute.<host>``) but all share one RPC listener, one timer for their
periodic tasks and a few worker threads (docs/architecture.md, "Compute
fleet"). For scale tests: 10,000 hosts in one process.
"""),
    cfg.StrOpt("fleet_host_prefix", default="fleet-",
               help="Name prefix of the compute fleet's hosts."),
    cfg.IntOpt("fleet_workers", default=4, min=1,
               help="Threads that run the compute fleet's periodic tasks "
                    "(and start its hosts)."),
    cfg.BoolOpt("seed", default=True,
                help="Create default flavors and a demo image when the "
                     "database is empty."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
