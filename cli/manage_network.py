"""``nimbus-manage network ...``, ``floating ...`` and ``fixed list``: the
operator's networks, floating-IP pools and fixed addresses (nova-manage's
commands)."""

from nimbus.core import context as nimbus_context
from nimbus.core.network import api as network_api


def add_parsers(sub):
    """Add the ``network``, ``floating`` and ``fixed`` command groups."""
    network = sub.add_parser("network", help="networks")
    net_sub = network.add_subparsers(dest="command", required=True)
    create = net_sub.add_parser("create", help="create a network")
    create.add_argument("--name", required=True)
    create.add_argument("--cidr", required=True,
                        help="IPv4 CIDR, e.g. 10.20.0.0/24")
    create.add_argument("--vlan", type=int,
                        help="802.1Q id (plugins that declare vlan)")
    create.add_argument("--project",
                        help="owning project id (default: shared by all)")
    create.add_argument("--bridge", help="bridge name (max 15 characters)")
    create.add_argument("--bridge-interface",
                        help="host NIC carrying the segment off-host")
    create.add_argument("--gateway", help="gateway address (default: the "
                                          "first host address)")
    create.add_argument("--dns", action="append", default=[],
                        help="DNS server for guests (repeatable)")
    create.add_argument("--mtu", type=int)
    create.add_argument("--multi-host", action="store_true",
                        help="serve the gateway side beside each compute")
    create.add_argument("--external", action="store_true",
                        help="a floating-IP pool (router:external)")
    create.add_argument("--network-host",
                        help="the nimbus-network host serving it")
    net_sub.add_parser("list", help="list networks")
    delete = net_sub.add_parser("delete", help="delete a network")
    delete.add_argument("network", help="network id or name")

    floating = sub.add_parser("floating", help="floating IP pools")
    fl_sub = floating.add_subparsers(dest="command", required=True)
    fcreate = fl_sub.add_parser(
        "create", help="create a pool (an external network) or add a "
                       "range to it")
    fcreate.add_argument("--ip-range", required=True,
                         help="CIDR of the addresses to add")
    fcreate.add_argument("--pool", default="public",
                         help="the pool's (external network's) name")
    flist = fl_sub.add_parser("list", help="list floating IPs")
    flist.add_argument("--pool", help="only this pool")
    fdelete = fl_sub.add_parser("delete",
                                help="remove free addresses from a pool")
    fdelete.add_argument("--ip-range", required=True)

    fixed = sub.add_parser("fixed", help="fixed IP addresses")
    fx_sub = fixed.add_subparsers(dest="command", required=True)
    fxlist = fx_sub.add_parser(
        "list", help="a network's addresses in use: held by a port, "
                     "leased by DHCP, or a multi_host gateway's")
    fxlist.add_argument("network", help="network id or name")
    fxlist.add_argument("--all", action="store_true",
                        help="every address, free and reserved ones too")


def run(conf, db, args, out):
    """Run the parsed command; returns the exit status.

    :raises NimbusException: bad input (the caller prints one line).
    """
    api = network_api.NetworkAPI(conf, db)
    ctx = nimbus_context.get_admin_context()
    handler = _HANDLERS[(args.group, args.command)]
    return handler(api, ctx, args, out)


def _network_create(api, ctx, args, out):
    net = api.create_network(
        ctx, args.name, args.cidr, project_id=args.project,
        external=args.external, vlan=args.vlan, gateway=args.gateway,
        dns_servers=args.dns, mtu=args.mtu,
        multi_host=True if args.multi_host else None, bridge=args.bridge,
        bridge_interface=args.bridge_interface, host=args.network_host)
    out(f"created network {net['name']} {net['id']} {net['cidr']} "
        f"gateway {net['gateway'] or '-'} vlan {net['vlan'] or '-'} "
        f"bridge {net['bridge']}"
        + (" external" if net["external"] else "")
        + (" multi_host" if net["multi_host"] else ""))
    return 0


def _network_list(api, ctx, args, out):
    out("id                                   name             cidr"
        "               vlan  bridge          project")
    for net in api.list_networks(ctx):
        out(f"{net['id']} {net['name'][:16]:16} {net['cidr']:18} "
            f"{str(net['vlan'] or '-'):5} {net['bridge'] or '-':15} "
            f"{net['project_id'] or '(shared)'}"
            + (" external" if net["external"] else ""))
    return 0


def _find_network(api, ctx, ref):
    by_name = [n for n in api.list_networks(ctx) if n["name"] == ref]
    if len(by_name) == 1:
        return by_name[0]
    return api.get_network(ctx, ref)


def _network_delete(api, ctx, args, out):
    net = _find_network(api, ctx, args.network)
    api.delete_network(ctx, net["id"])
    out(f"deleted network {net['name']} {net['id']}")
    return 0


def _floating_create(api, ctx, args, out):
    pools = [n for n in api.list_networks(ctx, {"external": True})
             if n["name"] == args.pool]
    if pools:
        count = api.add_floating_range(ctx, pools[0]["id"], args.ip_range)
        out(f"added {count} addresses to pool {args.pool}")
        return 0
    net = api.create_network(ctx, args.pool, args.ip_range, external=True,
                             gateway=False)
    free = api.list_floating_pools(ctx)
    count = next(p["free"] for p in free if p["id"] == net["id"])
    out(f"created pool {args.pool} {net['id']} with {count} addresses")
    return 0


def _floating_list(api, ctx, args, out):
    pools = {p["id"]: p["name"] for p in api.list_floating_pools(ctx)}
    out("address          pool             project                   "
        "       fixed address")
    for fip in api.db.floating_ips.get_all(ctx, allocated=None):
        pool = pools.get(fip["network_id"], fip["network_id"])
        if args.pool and pool != args.pool:
            continue
        out(f"{fip['address']:16} {pool[:16]:16} "
            f"{fip['project_id'] or '-':32} {fip['fixed_address'] or '-'}")
    return 0


def _floating_delete(api, ctx, args, out):
    count = api.remove_floating_range(ctx, args.ip_range)
    out(f"removed {count} addresses")
    return 0


def _fixed_list(api, ctx, args, out):
    net = _find_network(api, ctx, args.network)
    out("address          instance                             leased"
        "            reserved  gateway of")
    for row in api.db.networks.get_fixed_ips(ctx, net["id"]):
        in_use = row["port_id"] or row["leased"] or row["gateway_host"]
        if not (in_use or args.all):
            continue
        leased = f"yes ({row['lease_host']})" if row["leased"] else "no"
        out(f"{row['address']:16} {row['instance_uuid'] or '-':36} "
            f"{leased:17} {'yes' if row['reserved'] else 'no':9} "
            f"{row['gateway_host'] or '-'}")
    return 0


_HANDLERS = {
    ("network", "create"): _network_create,
    ("network", "list"): _network_list,
    ("network", "delete"): _network_delete,
    ("floating", "create"): _floating_create,
    ("floating", "list"): _floating_list,
    ("floating", "delete"): _floating_delete,
    ("fixed", "list"): _fixed_list,
}
