"""[network] options: the network plugin, the default network, IPAM.

Plugins register their own groups (``[linux_net]`` ...) for what only
they use; these options are read by nimbus-network, the API services and
(``driver`` only) nimbus-compute.
"""

from oslo_config import cfg

group = cfg.OptGroup("network", title="Network service options")

opts = [
    cfg.StrOpt("driver", default="fake",
               help="""
Network plugin (an entry point in the ``nimbus.networks`` group).
nimbus-network runs its gateway side, every nimbus-compute its host side.

Possible values:

* ``fake``: records what it is asked, moves no packets (the embedded
  default with the fake hypervisor; no root needed).
* ``flat``, ``flatdhcp``, ``vlan``: real networking (see
  ``docs/networking.md``).
"""),
    cfg.StrOpt("default_network_name", default="private",
               help="""
Name of the network servers join when they are created without
``networks`` (or with ``"auto"``) and the project has no network of its
own. nimbus-all creates it (with ``default_cidr``) on its first start.
"""),
    cfg.StrOpt("default_cidr", default="10.0.0.0/24",
               help="IPv4 CIDR of the default network nimbus-all "
                    "creates."),
    cfg.BoolOpt("create_default_network", default=True,
                help="""
Whether nimbus-all creates the default network (``default_network_name``,
``default_cidr``, shared) on first start when no network exists.
"""),
    cfg.StrOpt("fixed_range", default="10.0.0.0/16",
               help="""
The IPv4 range per-project VLAN networks are cut from (``vlan`` plugin):
a project's first boot gets the next free ``network_size`` block of it.
"""),
    cfg.IntOpt("network_size", default=256, min=4, max=65536,
               help="Addresses in each per-project network (a power of "
                    "two)."),
    cfg.IntOpt("vlan_start", default=100, min=1, max=4094,
               help="First VLAN id of per-project networks."),
    cfg.IntOpt("num_networks", default=0, min=0,
               help="""
Most per-project VLAN networks nimbus-network creates (0: as many as
``fixed_range`` and the VLAN ids 1-4094 allow).
"""),
    cfg.StrOpt("network_host",
               help="""
The host whose nimbus-network serves networks that are not
``multi_host``. Default: the ``host`` of the nimbus-network that creates
or first serves the network.
"""),
    cfg.BoolOpt("multi_host", default=False,
                help="""
Default of new networks' ``multi_host``: the gateway side (DHCP, NAT,
metadata forwarding) runs beside every compute host for its own guests,
as nova-network's multi_host did, instead of on one network host.
"""),
    cfg.StrOpt("public_interface",
               help="Host interface floating IPs and SNAT leave by "
                    "(plugins that NAT use it)."),
    cfg.StrOpt("flat_network_bridge", default="br100",
               help="Bridge name of networks created without one."),
    cfg.StrOpt("vlan_bridge_prefix", default="br",
               help="Per-project VLAN networks get bridge "
                    "``<prefix><vlan>`` unless the plugin says otherwise."),
    cfg.HostAddressOpt("metadata_host", default="127.0.0.1",
                       help="Where the metadata service listens; guests' "
                            "requests to 169.254.169.254 are forwarded "
                            "there."),
    cfg.PortOpt("metadata_port", default=8775,
                help="Port of the metadata service."),
    cfg.IntOpt("dhcp_lease_time", default=86400, min=120,
               help="Seconds a DHCP lease lasts."),
    cfg.ListOpt("dns_servers", default=[],
                help="DNS servers handed to guests of networks created "
                     "without their own."),
    cfg.StrOpt("mac_prefix", default="fa:16:3e",
               regex=r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){2}$",
               help="First three octets of the MAC addresses of ports "
                    "(the rest is random, unique in the database)."),
    cfg.FloatOpt("release_refresh_delay", default=0.5, min=0.0,
                 help="""
Seconds without another server delete nimbus-network waits before it
re-applies the gateway side (DHCP host entries) of the networks whose
ports the deletes gave back, and at most five times that during a
continuous burst: one refresh per burst of deletes instead of one per
delete. The records are released at once; a boot re-applies its network's
whole state before its guest starts.
"""),
    cfg.FloatOpt("member_refresh_delay", default=1.0, min=0.05,
                 help="""
Seconds without a security-group membership change (servers joining or
leaving a group) nimbus-network waits before re-sending the filters of
the ports whose rules name those groups as remote group, and at most five
times that during a continuous burst: one pass per burst of boots instead
of one per boot (each pass re-sends every such port's filter, so a large
default group makes passes costly).
"""),
    cfg.IntOpt("allocate_timeout", default=120, min=1,
               help="""
Seconds a build (or a port attach) waits for nimbus-network to create,
release or move a server's ports before it fails. Allocation is a few
quick transactions; a slow database under 50 concurrent boots needs more
than oslo.messaging's default. A network service killed while answering
costs a build this long before it ends in ERROR.
"""),
    cfg.IntOpt("reap_interval", default=60, min=0,
               help="""
Seconds between nimbus-network's sweeps for ports and security-group
bindings of servers that are gone (left by a compute that died while
deleting). 0 disables the sweep.
"""),
    cfg.FloatOpt("lease_sync_interval", default=2.0, min=0,
                 help="""
Seconds between nimbus-network's looks at the DHCP leases of the networks
it serves (plugins with the ``dhcp`` capability): fixed IPs are marked
leased while a lease is live, and an address whose port is gone is free
again only once its lease has ended. 0 disables it: nothing is marked
leased, and an address is free as soon as its port is gone.
"""),
    cfg.IntOpt("allocate_retries", default=50, min=1,
               help="""
Compare-and-swap attempts of one address allocation before it gives up
(only ever reached under extreme contention; every attempt picks among
the free addresses at random).
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
