"""The network API's check of a server create's ``networks``: the
networks, ports and fixed IPs asked for, or the network a server joins
when it asks for none (see :class:`~nimbus.core.network.api.NetworkAPI`,
which mixes this in)."""

from nimbus.core import exception


class RequestedNetworksMixin:
    """:meth:`validate_requested_networks` of :class:`NetworkAPI` (uses
    its ``db``, ``conf``, ``quotas``, ``capabilities``, ``_network_row``,
    ``_port_row`` and ``_check_fixed_ip``)."""

    def validate_requested_networks(self, context, project_id, requested,
                                    count=1, limits=None):
        """Check a server create's ``networks`` before anything is
        recorded; returns the normalized list the build carries:
        ``[{"network_id", "fixed_ip", "port_id"}]`` (and ``tag`` when the
        request gives the NIC a device tag), where a
        ``network_id`` of None means "the project's own network, made on
        its first boot" (VLAN mode).

        :param requested: None (no ``networks``: the project's network
            if it has one, else no NIC), ``"auto"`` (2.37: the same
            network, which must exist), ``"none"``, or a list of
            ``{"uuid", "fixed_ip", "port"}`` dicts.
        :param count: servers being created (a port or fixed IP cannot
            serve several).
        :param limits: the project's quota limits, when the caller has
            read them for this request already.
        :raises InvalidNetworkRequest: unknown or external network, a
            fixed IP outside its network, a duplicate or a malformed
            entry.
        :raises NetworkAmbiguous: ``auto`` with several candidates.
        :raises UnableToAutoAllocateNetwork: ``auto`` and no network the
            project can use (Nova's 400).
        :raises FixedIpAlreadyInUse: a requested address is taken.
        :raises PortInUse: a requested port is bound to another server.
        :raises PortNotFound: (as InvalidNetworkRequest) unknown port.
        :raises OverQuota: the ports would exceed the ``port`` quota.
        """
        # One reader session for the network reads and the port count.
        with self.db.reading(context):
            return self._validate_requested(context, project_id, requested,
                                            count, limits)

    def _validate_requested(self, context, project_id, requested, count,
                            limits):
        if requested is None or requested == "auto":
            result = self._auto_network(context, project_id)
            if not result and requested == "auto":
                raise exception.UnableToAutoAllocateNetwork(
                    project_id=project_id)
        elif requested == "none":
            result = []
        elif isinstance(requested, (list, tuple)):
            result = [self._one_request(context, project_id, r, count)
                      for r in requested]
            # A device tag (2.32, 2.42) goes on the port made or bound.
            for entry, request in zip(result, requested, strict=True):
                if request.get("tag"):
                    entry["tag"] = request["tag"]
        else:
            raise exception.InvalidNetworkRequest(
                reason="networks must be 'auto', 'none' or a list")
        ports = [r["port_id"] for r in result if r["port_id"]]
        if len(ports) != len(set(ports)):
            raise exception.InvalidNetworkRequest(
                reason="a port may be requested once")
        fixed = [(r["network_id"], r["fixed_ip"]) for r in result
                 if r["fixed_ip"]]
        if len(fixed) != len(set(fixed)):
            raise exception.InvalidNetworkRequest(
                reason="a fixed IP may be requested once")
        new_ports = sum(1 for r in result if not r["port_id"]) * count
        if new_ports:
            self.quotas.check(context, project_id, {"port": new_ports},
                              limits=limits)
        return result

    def _auto_network(self, context, project_id):
        """The network(s) a server without ``networks`` joins: the
        project's own, else the shared default, else (VLAN-capable
        plugin) the project's network made on first boot, else none."""
        internal = [r for r in self.db.networks.get_internal(context)
                    if (r["project_id"] == project_id or r["shared"]
                        or r["project_id"] is None) and r["cidr"]]
        own = [r for r in internal if r["project_id"] == project_id]
        candidates = own or [r for r in internal if r not in own]
        if len(candidates) > 1:
            named = [r for r in candidates if r["name"] ==
                     self.conf.network.default_network_name]
            if len(named) != 1:
                raise exception.NetworkAmbiguous()
            candidates = named
        if candidates:
            return [{"network_id": candidates[0]["uuid"], "fixed_ip": None,
                     "port_id": None}]
        if self.capabilities.vlan and self.conf.network.driver == "vlan":
            return [{"network_id": None, "fixed_ip": None, "port_id": None}]
        return []

    def _one_request(self, context, project_id, request, count):
        if not isinstance(request, dict):
            raise exception.InvalidNetworkRequest(
                reason="each network must be an object")
        bad = set(request) - {"uuid", "fixed_ip", "port", "tag"}
        if bad:
            raise exception.InvalidNetworkRequest(
                reason=f"unknown key(s) {', '.join(sorted(bad))}")
        port_id = request.get("port")
        network_id = request.get("uuid")
        fixed_ip = request.get("fixed_ip")
        if port_id:
            if count > 1:
                raise exception.InvalidNetworkRequest(
                    reason="a port cannot be used by several servers")
            try:
                port = self._port_row(context, port_id)
            except exception.PortNotFound:
                raise exception.InvalidNetworkRequest(
                    reason=f"Port {port_id} could not be found")
            if port["instance_uuid"]:
                raise exception.PortInUse(port_id=port_id,
                                          device_id=port["instance_uuid"])
            return {"network_id": port["network_id"], "fixed_ip": None,
                    "port_id": port["uuid"]}
        if not network_id:
            raise exception.InvalidNetworkRequest(
                reason="each network needs a uuid or a port")
        try:
            network = self._network_row(context, network_id)
        except exception.NetworkNotFound:
            raise exception.InvalidNetworkRequest(
                reason=f"Network {network_id} could not be found")
        if network["external"]:
            raise exception.InvalidNetworkRequest(
                reason=f"Network {network_id} is external: servers cannot "
                       f"be attached to it")
        if not network["cidr"]:
            raise exception.InvalidNetworkRequest(
                reason=f"Network {network_id} has no subnet")
        if fixed_ip:
            if count > 1:
                raise exception.InvalidNetworkRequest(
                    reason="a fixed IP cannot be used by several servers")
            try:
                self._check_fixed_ip(network, fixed_ip)
            except exception.InvalidInput as err:
                raise exception.InvalidNetworkRequest(reason=str(err))
            rows = self.db.networks.get_fixed_ips(
                context, network["uuid"], address=fixed_ip)
            if rows and rows[0]["port_id"]:
                raise exception.FixedIpAlreadyInUse(
                    address=fixed_ip, network_id=network["uuid"])
            if not rows or rows[0]["reserved"]:
                raise exception.InvalidNetworkRequest(
                    reason=f"Fixed IP {fixed_ip} cannot be given out on "
                           f"network {network['uuid']}")
        return {"network_id": network["uuid"], "fixed_ip": fixed_ip or None,
                "port_id": None}
