"""nimbus-network: allocates addresses and drives the gateway side.

One NetworkManager per network host (or per compute host with
``multi_host``). The records are the truth: allocation is done in the
database (any network service may do it: compare-and-swap rows), then
the gateway side of the networks concerned is brought up to date on the
host that serves them: from the records in full the first time, then by
the ports that changed when the plugin declares ``port_updates``. At
start the service replays ``setup_network`` (and the floating IPs) of
every network it serves, so a restarted host converges without any
state of its own.

Which host serves a network: its ``host`` column; a network created
without one is claimed (compare-and-swap) by the first network service
that is asked to serve it and whose ``[network] network_host`` is unset
or names it. A ``multi_host`` network is served by the network service
beside each compute, for that compute's ports only.
"""

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core import exception, loading, manager
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.interfaces import network as net_iface
from nimbus.core.network import (
    allocation,
    coalesce,
    manager_bursts,
    manager_floating,
    membership,
    model,
    records,
)
from nimbus.core.network import rpcapi as network_rpcapi

LOG = logging.getLogger(__name__)


class NetworkManager(manager_bursts.BurstsMixin,
                     manager_floating.FloatingIPsManagerMixin,
                     manager.Manager):
    """RPC endpoint of ``network`` / ``network.<host>`` (see rpcapi for
    the version history).

    :param db: the database API handed in by the daemon.
    :param driver: the network plugin (default: ``[network] driver``).
    :param served_hosts: compute hosts whose guests this service serves
        on ``multi_host`` networks besides its own ``host`` (nimbus-all:
        its compute hosts, as one host with one gateway address).
    """

    target = messaging.Target(version="1.4")

    def __init__(self, conf, host, db, driver=None, served_hosts=()):
        super().__init__(conf, host)
        self.db = db
        self.served_hosts = frozenset(served_hosts) | {host}
        self.driver = driver or loading.load_driver(
            loading.NETWORKS, conf.network.driver, conf, host)
        self.allocator = allocation.Allocator(conf, db)
        self._setups = coalesce.Updates()
        self._members = coalesce.Debouncer(
            self._refresh_member_filters,
            delay=conf.network.member_refresh_delay)
        #: (network uuid, port host) pairs whose gateway side still
        #: lists ports a delete gave back (see deallocate_for_instance).
        self._released = coalesce.Debouncer(
            self._refresh_released, delay=conf.network.release_refresh_delay)
        self._network_rpc = None
        self._compute_rpc = None
        #: network uuid -> the leased addresses last recorded from here
        #: (only this host's syncs change them: unchanged, no write).
        self._leases_seen = {}

    @property
    def network_rpc(self):
        if self._network_rpc is None:
            self._network_rpc = network_rpcapi.NetworkAPI()
        return self._network_rpc

    @property
    def compute_rpc(self):
        if self._compute_rpc is None:
            self._compute_rpc = compute_rpcapi.ComputeAPI()
        return self._compute_rpc

    # -- service hooks ------------------------------------------------------

    def init_host(self):
        """Prepare the plugin and replay every network served here."""
        self.driver.init_host()
        ctx = nimbus_context.get_admin_context()
        for network in self._served(ctx):
            try:
                self._apply(ctx, network, refresh=True)
                self._replay_floating(ctx, network)
            except Exception:
                LOG.exception("Could not set up network %s at start",
                              network["uuid"])

    def periodic_tasks(self):
        return [(self.reap_orphans, self.conf.network.reap_interval),
                (self.sync_leases, self.conf.network.lease_sync_interval)]

    def sync_leases(self):
        """Record the DHCP leases of the networks served here: a fixed IP
        is ``leased`` while its lease is live; one whose port is gone is
        free again once its lease ends (see ``db.networks.sync_leases``).
        """
        if not self.driver.capabilities.dhcp:
            return
        ctx = nimbus_context.get_admin_context()
        for network in self.db.networks.get_internal(ctx):
            # A multi_host network: this host's DHCP server, even once its
            # last port here is gone (its leases may still be live).
            if not network["cidr"] or not (
                    network["multi_host"] or self._serves(ctx, network)):
                continue
            try:
                leases = self.driver.get_leases(self._spec(network))
                addresses = frozenset(lease.address for lease in leases)
                if self._leases_seen.get(network["uuid"]) == addresses:
                    continue
                gained, lost = self.db.networks.sync_leases(
                    ctx, network["uuid"], self.host, addresses,
                    every_host=not network["multi_host"])
                self._leases_seen[network["uuid"]] = addresses
            except Exception:
                LOG.exception("Could not sync the DHCP leases of %s",
                              network["uuid"])
                continue
            if gained or lost:
                LOG.info("DHCP leases of network %(net)s: leased %(gained)s, "
                         "ended %(lost)s", {"net": network["uuid"],
                                            "gained": gained, "lost": lost})

    def reap_orphans(self):
        """Release the ports and group bindings of servers that are gone
        (their compute died mid-delete, or could not reach us)."""
        ctx = nimbus_context.get_admin_context()
        for instance_uuid in self.db.ports.orphaned_instances(ctx):
            LOG.info("Releasing the network of deleted server %s",
                     instance_uuid)
            try:
                self.deallocate_for_instance(ctx, instance_uuid)
            except Exception:
                LOG.exception("Releasing the network of %s failed",
                              instance_uuid)

    def cleanup_host(self):
        self._members.stop()
        self._released.stop()  # init_host replays every network anyway
        self.driver.cleanup_host()

    def _served(self, context):
        """The networks this host serves now (claiming unserved ones)."""
        result = []
        for network in self.db.networks.get_all(context, external=False):
            if not network["cidr"]:
                continue  # no subnet yet: nothing to serve
            if network["multi_host"]:
                if self.db.ports.get_all(context, network_id=network["uuid"],
                                         host=list(self.served_hosts)):
                    result.append(network)
            elif self._serves(context, network):
                result.append(self.db.networks.get(context, network["uuid"]))
        return result

    def _serves(self, context, network):
        """Whether this host serves ``network`` (a row), claiming it
        when nobody does and the configuration allows."""
        if network["multi_host"]:
            return True
        if network["host"] is None:
            wanted = self.conf.network.network_host
            if wanted and wanted != self.host:
                return False
            network = self.db.networks.claim(context, network["uuid"],
                                             self.host)
        return network["host"] == self.host

    # -- the gateway side ---------------------------------------------------

    def _apply(self, context, network, added=(), removed=(),
               refresh=False):
        """Bring ``network``'s gateway side here up to date: the whole
        state from the records the first time, after a failure and when
        asked (``refresh``); otherwise, with a plugin declaring
        ``port_updates``, only the ports staged as ``added``/``removed``
        since the last run. Concurrent requests for one network are
        served by one run.

        :param added, removed: :class:`PortSpec` lists of this request.
        """
        def full():
            with self.db.reading(context):
                row = self.db.networks.get(context, network["uuid"])
                ports = self.db.ports.gateway_ports(
                    context, row["uuid"],
                    hosts=self.served_hosts if row["multi_host"] else None)
            spec = self._spec(row, context)
            self.driver.setup_network(spec, [
                net_iface.PortSpec(id=uuid, network_id=row["uuid"], mac=mac,
                                   fixed_ips=addresses,
                                   instance_uuid=instance, hostname=name)
                for uuid, mac, instance, name, addresses in ports])

        def delta(added, removed):
            self.driver.update_ports(self._spec(network, context), added,
                                     removed)

        self._setups.run(
            network["uuid"], full,
            delta if self.driver.capabilities.port_updates else None,
            added, removed, refresh=refresh)

    def _spec(self, row, context=None):
        """The NetworkSpec this host serves: with ``multi_host`` (and
        ``context`` given) its gateway is this host's own address."""
        view = records.network_view(row)
        if row["multi_host"] and row["gateway"] and context is not None:
            view["gateway"] = self.db.networks.host_gateway(
                context, row["uuid"], self.host)
        return model.network_spec(model.network_dict(
            view, self.conf.network.metadata_host,
            self.conf.network.metadata_port))

    def _refresh_gateways(self, context, network_ids, port_host, rows=None,
                          added=None):
        """Bring the gateway side of the networks up to date (here, or by
        a cast to the host serving them, which re-applies it whole).

        :param rows: ``{uuid: networks row}`` already read in this
            request (the others are read here).
        :param added: ``{uuid: [PortSpec, ...]}``, the ports this request
            made on each network; a network not in it is re-applied
            whole (besides what other requests staged).
        :returns: ``{uuid: host}``, the network service now serving each
            network that is not multi_host (claimed here, or by another
            network service meanwhile).
        """
        serving = {}
        for network_id in network_ids:
            try:
                row = (rows or {}).get(network_id) or \
                    self.db.networks.get(context, network_id)
            except exception.NetworkNotFound:
                continue
            if row["external"]:
                continue
            if row["multi_host"]:
                target = self.host if port_host in self.served_hosts \
                    else port_host
                if row["gateway"] and target:
                    # Before the VIFs go out: they carry this gateway.
                    self.db.networks.host_gateway(context, network_id,
                                                  target)
            elif self._serves(context, row):
                target = serving[network_id] = self.host
            else:
                target = serving[network_id] = self.db.networks.get(
                    context, network_id)["host"]
            if target == self.host:
                if added is not None and network_id in added:
                    self._apply(context, row, added=added[network_id])
                else:
                    self._apply(context, row, refresh=True)
            else:
                self.network_rpc.setup_network(context, network_id,
                                               host=target)
        return serving

    @messaging.expected_exceptions(exception.NimbusException)
    def setup_network(self, context, network_id):
        try:
            row = self.db.networks.get(context, network_id)
        except exception.NetworkNotFound:
            return
        if row["external"]:
            return
        if not self._serves(context, row):
            current = self.db.networks.get(context, network_id)
            if current["host"] and current["host"] != self.host:
                self.network_rpc.setup_network(context, network_id,
                                               host=current["host"])
            return
        self._apply(context, row, refresh=True)

    def teardown_network(self, context, network):
        """Remove a (deleted) network's gateway side from this host."""
        spec = model.network_spec(network)
        self._setups.reset(spec.id,
                           lambda: self.driver.teardown_network(spec))

    # -- servers ------------------------------------------------------------

    @messaging.expected_exceptions(exception.NimbusException)
    def allocate_for_instance(self, context, instance_uuid, project_id,
                              host, requested_networks, security_groups,
                              hostname=None, remote_groups=False,
                              held_groups=None):
        """Create (or bind) the server's ports; returns its VIF dicts
        with their rules (``remote_groups``, ``held_groups``: see
        :func:`~nimbus.core.network.records.vifs`). Nothing is left
        behind on failure. The members of ``held_groups`` (1.3), which
        the compute holds, are left out, and pushed to it again once
        its port is recorded (a change it missed cannot stay missed).
        """
        self._check_capabilities(context, requested_networks)
        done = self.allocator.allocate(
            context, instance_uuid, project_id, host,
            requested_networks or [], security_groups or [],
            hostname=hostname,
            also=self._rules_reader(remote_groups, held_groups))
        return self._hand_out(context, host, [(instance_uuid, done)],
                              remote_groups, held_groups)[0]

    def _rules_reader(self, remote_groups, held_groups):
        """The ``also`` of an allocation: its ports' rules, read in its
        transaction (see :func:`~nimbus.core.network.records.vifs`)."""
        return lambda ctx, done: records.vif_rules(
            ctx, self.db, done.ports, remote_groups, done.made,
            held_groups or (), known_rules=done.rules)

    def _hand_out(self, context, host, allocations, remote_groups,
                  held_groups):
        """Bring the gateway side up to date with the ports of
        ``allocations`` (``[(instance uuid, Allocation)]`` of servers on
        ``host``) and return each server's VIF dicts, in order. When the
        gateway side cannot be updated, every one of those servers' ports
        is given back and the error raised."""
        ports = [p for _uuid, done in allocations for p in done.ports]
        made, rows, rules, members = {}, {}, {}, {}
        for _uuid, done in allocations:
            made.update(done.made)
            rows.update(done.networks)
            rules.update(done.also[0])
            members.update(done.also[1])
        try:
            serving = self._refresh_gateways(
                context, {p["network_id"] for p in ports}, host, rows=rows,
                added=self._made(ports, made))
        except Exception:
            self._release(context, [uuid for uuid, _done in allocations],
                          host)
            raise
        self._members_changed(context, ports, {
            uuid: values["security_groups"] for uuid, values in made.items()})
        networks = {uuid: dict(row, host=serving[uuid]) if uuid in serving
                    else row for uuid, row in rows.items()}
        vifs = self._vifs(context, ports, remote_groups, networks=networks,
                          made=made, held_groups=held_groups or (),
                          rules=(rules, members))
        if held_groups:
            self._members.add(
                {r["remote_group_id"] for vif in vifs for r in vif["rules"]}
                & set(held_groups))
        by_instance = {uuid: [] for uuid, _done in allocations}
        for vif in vifs:
            by_instance[vif["instance_uuid"]].append(vif)
        return [by_instance[uuid] for uuid, _done in allocations]

    @staticmethod
    def _made(ports, made):
        """``{network uuid: [PortSpec, ...]}`` of the networks on which
        every port of ``ports`` was made here (a user's port bound here
        was not read whole: its network is re-applied whole)."""
        result = {}
        for port in ports:
            result.setdefault(port["network_id"], []).append(port)
        return {uuid: [model.row_port_spec(p) for p in group]
                for uuid, group in result.items()
                if all(p["uuid"] in made for p in group)}

    def _check_capabilities(self, context, requested):
        caps = self.driver.capabilities
        for request in requested or []:
            if request.get("network_id") is None and not caps.vlan:
                raise exception.NetworkCapabilityMissing(
                    plugin=type(self.driver).__name__,
                    capability="per-project VLAN networks")

    def _release(self, context, instance_uuids, host):
        """Give back the ports of servers whose allocation failed after
        it was recorded, and refresh the gateway side at once."""
        ports = []
        for uuid, outcome in zip(instance_uuids, self.allocator.
                                 deallocate_many(context, instance_uuids),
                                 strict=True):
            if isinstance(outcome, Exception):
                LOG.error("Could not give back the ports of %(uuid)s: "
                          "%(err)s (they are reaped once it is deleted)",
                          {"uuid": uuid, "err": outcome})
            else:
                ports += outcome
        self._refresh_gateways(context, {p["network_id"] for p in ports},
                               host)

    @messaging.expected_exceptions(exception.NimbusException)
    def deallocate_for_instance(self, context, instance_uuid, host=None,
                                return_vifs=True):
        """Release the server's ports; returns the VIF dicts they had
        (None when ``return_vifs`` is False: the compute knows them).

        The records are released when this returns; the gateway side
        drops the ports' DHCP entries (and ends their leases) after
        ``[network] release_refresh_delay`` (one refresh for a burst of
        deletes). Nothing can use a stale entry meanwhile: the guest is
        gone, a leased address is not handed out again before its lease
        ends, and a boot's own update of the gateway side takes the
        removals staged here (or re-reads the whole network) before its
        VIF leaves nimbus-network.
        """
        vifs = None
        if return_vifs:
            vifs = records.vifs(context, self.db, self.conf,
                                self.db.ports.get_all(
                                    context, instance_uuid=instance_uuid),
                                with_rules=False)
        self._released_ports(self.allocator.deallocate_for_instance(
            context, instance_uuid), host)
        return vifs

    def _released_ports(self, ports, host):
        """Stage the removal of released ``ports`` (rows, with their
        groups) of servers on ``host`` from the gateway side, and their
        groups' member refresh (see :meth:`deallocate_for_instance`)."""
        for port in ports:
            if not port["preserve_on_delete"]:
                self._setups.stage(port["network_id"],
                                   removed=[model.row_port_spec(port)])
        # A user's port stays, unbound: its network is re-applied whole.
        self._released.add((p["network_id"], host,
                            bool(p["preserve_on_delete"])) for p in ports)
        self._members.add(g for p in ports for g in p["security_groups"])

    def _refresh_released(self, keys):
        """The deferred gateway refresh of deletes (see above): the
        removals they staged, or the whole network."""
        ctx = nimbus_context.get_admin_context()
        by_host = {}
        for network_id, host, whole in keys:
            networks = by_host.setdefault(host, {})
            networks[network_id] = networks.get(network_id) or whole
        for host, networks in by_host.items():
            self._refresh_gateways(ctx, set(networks), host, added={
                uuid: [] for uuid, whole in networks.items() if not whole})

    @messaging.expected_exceptions(exception.NimbusException)
    def allocate_port_for_instance(self, context, instance_uuid, project_id,
                                   host, network_id=None, port_id=None,
                                   fixed_ip=None, hostname=None,
                                   remote_groups=False):
        """One more port for a server; returns its VIF dict (rules
        included)."""
        groups = self.db.security_groups.groups_of_instances(
            context, [instance_uuid])[instance_uuid]
        if port_id:
            port = self.db.ports.bind(context, port_id, instance_uuid,
                                      host=host,
                                      device_owner=allocation.COMPUTE_OWNER)
        else:
            network = self.db.networks.get(context, network_id)
            port = self.allocator.create_port(
                context, network, project_id, fixed_ip=fixed_ip,
                security_groups=groups or None,
                instance_uuid=instance_uuid, host=host, hostname=hostname)
        self._refresh_gateways(
            context, {port["network_id"]}, host,
            added=None if port_id else self._made([port], {port["uuid"]}))
        self._members_changed(context, [port])
        return self._vifs(context,
                          [self.db.ports.get(context, port["uuid"])],
                          remote_groups)[0]

    @messaging.expected_exceptions(exception.NimbusException)
    def deallocate_port(self, context, instance_uuid, port_id, host=None):
        """Release one port of a server; returns the VIF dict it had.

        :raises PortNotFound: not a port of that server.
        """
        port = self.db.ports.get(context, port_id)
        if port["instance_uuid"] != instance_uuid:
            raise exception.PortNotFound(port_id=port_id)
        vif = records.vifs(context, self.db, self.conf, [port],
                           with_rules=False)[0]
        groups = self.db.ports.security_groups_of(context, [port_id])[
            port_id]
        if port["preserve_on_delete"]:
            self.db.ports.unbind(context, port_id)
        else:
            self.allocator.delete_port(context, port_id)
        self._refresh_gateways(context, {port["network_id"]}, host)
        self._members.add(groups)
        return vif

    @messaging.expected_exceptions(exception.NimbusException)
    def get_host_vifs(self, context, host, remote_groups=False):
        """VIF dicts (rules included) of the ports bound on ``host``."""
        rows = [r for r in self.db.ports.get_all(context, host=host)
                if r["instance_uuid"]]
        return self._vifs(context, rows, remote_groups)

    def _vifs(self, context, rows, remote_groups=False, networks=None,
              made=None, held_groups=(), rules=None):
        """VIF dicts (rules included) for computes: on a ``multi_host``
        network, a guest of a host served here routes through this
        host's gateway (nimbus-all: one gateway for all its computes).

        :param networks, made, held_groups, rules: see
            :func:`~nimbus.core.network.records.vifs`.
        """
        vifs = records.vifs(context, self.db, self.conf, rows,
                            remote_groups=remote_groups, networks=networks,
                            made=made, held_groups=held_groups, rules=rules)
        if len(self.served_hosts) == 1:
            return vifs
        for vif in vifs:
            net = vif["network"]
            if net.get("multi_host") and vif["host"] in self.served_hosts:
                vif["host"] = self.host
                if net.get("gateway"):
                    net["gateway"] = self.db.networks.host_gateway(
                        context, net["id"], self.host)
        return vifs

    # -- filters of other ports ---------------------------------------------

    def _members_changed(self, context, ports, known=None):
        """``known``: ``{port uuid: [group uuid, ...]}`` already read."""
        known = known or {}
        unknown = [p["uuid"] for p in ports if p["uuid"] not in known]
        groups = dict(known, **self.db.ports.security_groups_of(
            context, unknown)) if unknown else known
        self._members.add(g for gs in groups.values() for g in gs)

    def _refresh_member_filters(self, group_uuids):
        """Groups gained or lost members: tell the computes whose ports'
        rules name them (debounced: one pass for a burst)."""
        membership.push_members(nimbus_context.get_admin_context(), self.db,
                                self.conf, self.compute_rpc, group_uuids)
