"""nimbus-network's floating IPs: the NAT of each association, done by
the network service that serves the guest's network (forwarded there
when it is another host), and replayed when that service starts.
"""

from nimbus.core import exception
from nimbus.core.interfaces import network as net_iface
from nimbus.core.network import model, records


class FloatingIPsManagerMixin:
    """Floating-IP endpoints of :class:`~nimbus.core.network.manager.
    NetworkManager` (its ``db``, ``driver``, ``conf``, ``network_rpc``
    and ``_serves``)."""

    def _floating_spec(self, floating):
        return net_iface.FloatingSpec(
            address=floating["address"],
            fixed_address=floating["fixed_address"],
            external_network=model.network_spec(
                floating["external_network"]),
            network=model.network_spec(floating["network"]),
            port_id=floating.get("port_id"))

    def _nat_here(self, context, method, floating):
        """Whether this host does the NAT of ``floating`` (forwarding the
        cast to the host that does when it is another)."""
        network = floating["network"]
        if network.get("multi_host"):
            return True
        try:
            row = self.db.networks.get(context, network["id"])
        except exception.NetworkNotFound:
            return True  # being deleted: undo what we may have
        if self._serves(context, row):
            return True
        getattr(self.network_rpc, method)(
            context, floating,
            host=self.db.networks.get(context, network["id"])["host"])
        return False

    def add_floating_ip(self, context, floating):
        if self._nat_here(context, "add_floating_ip", floating):
            self.driver.add_floating_ip(self._floating_spec(floating))

    def remove_floating_ip(self, context, floating):
        if self._nat_here(context, "remove_floating_ip", floating):
            self.driver.remove_floating_ip(self._floating_spec(floating))

    def _replay_floating(self, context, network):
        if not self.driver.capabilities.floating_ips:
            return
        ports = self.db.ports.get_all(context, network_id=network["uuid"])
        if network["multi_host"]:
            ports = [p for p in ports if p["host"] in self.served_hosts]
        fips = self.db.floating_ips.of_ports(context,
                                             [p["uuid"] for p in ports])
        externals = {}
        for fip in fips:
            if fip["network_id"] not in externals:
                externals[fip["network_id"]] = model.network_dict(
                    records.network_view(self.db.networks.get(
                        context, fip["network_id"])))
            self.driver.add_floating_ip(self._floating_spec({
                "address": fip["address"],
                "fixed_address": fip["fixed_address"],
                "external_network": externals[fip["network_id"]],
                "network": model.network_dict(
                    records.network_view(network),
                    self.conf.network.metadata_host,
                    self.conf.network.metadata_port),
                "port_id": fip["port_id"]}))
