"""[linux_net] options of the flat, flatdhcp and vlan network plugins."""

from oslo_config import cfg

group = cfg.OptGroup("linux_net", title="Linux network plugin options")

opts = [
    cfg.StrOpt("l2_backend", default="ovs", choices=("ovs", "linuxbridge"),
               help="""
Layer-2 backend: ``ovs`` (Open vSwitch bridges with the userspace
``netdev`` datapath; VLANs are port tags on the integration bridge;
security groups are OpenFlow rules with conntrack) or ``linuxbridge``
(kernel bridges; VLANs are 802.1Q devices on ``vlan_interface``;
security groups are iptables rules with bridge netfilter).
"""),
    cfg.StrOpt("integration_bridge", default="br-int",
               help="""
The Open vSwitch bridge all ``vlan`` networks share, one port tag per
network (``ovs`` backend).
"""),
    cfg.StrOpt("vlan_interface", default=None,
               help="""
Host NIC that carries VLAN segments to other hosts: with ``ovs`` it is
added to the integration bridge as a trunk; with ``linuxbridge`` a
``vlan<id>`` device on it joins each network's bridge. Unset: the
segments stay on this host.
"""),
    cfg.StrOpt("gateway_namespace", default="nimbus-gw",
               help="""
Network namespace holding the gateway side of every network this host
serves: gateway addresses, one dnsmasq per network, NAT and metadata
forwarding. Nothing of it touches the host's own iptables tables.
"""),
    cfg.StrOpt("external_bridge", default=None,
               help="""
Bridge (of the ``l2_backend``'s kind; created when missing) connecting the
gateway namespace to the external network floating IPs belong to.
Unset: no floating IPs and no outbound NAT.
"""),
    cfg.StrOpt("external_address", default=None,
               help="""
Address of the gateway namespace on the external network in CIDR form
(``172.24.4.2/24``); guests without a floating IP leave with it (SNAT).
"""),
    cfg.StrOpt("external_gateway", default=None,
               help="Next hop of the gateway namespace's default route."),
    cfg.StrOpt("chain_prefix", default="nimbus",
               help="""
Prefix of the iptables chains the ``linuxbridge`` backend creates in the
host's filter table for security groups (at most 12 characters).
"""),
    cfg.StrOpt("dhcp_dir", default="$state_path/dhcp",
               help="""
Directory with one subdirectory per network holding its dnsmasq files
(hosts, leases, pid file, log). Derived from the calls: safe to delete
while no dnsmasq runs.
"""),
    cfg.FloatOpt("port_poll_interval", default=0.5, min=0.1,
                 help="""
Seconds between looks at the integration bridge for guest ports whose
OpenFlow number appeared or changed (``ovs`` backend; their security
group flows are installed then).
"""),
]


def register_opts(conf):
    # A fresh OptGroup per ConfigOpts (oslo.config copies groups shallowly).
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]
