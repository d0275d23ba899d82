"""Writing address and port records: what nimbus-network and the
service API share.

Every step is race-free on its own (compare-and-swap rows, unique
constraints) and each function undoes its own partial work when a later
step fails, so a failed allocation leaves no port and no held address.
"""

import collections

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.network import coalesce, ipam
from nimbus.core.network import rpcapi as network_rpcapi

LOG = logging.getLogger(__name__)

#: the device_owner of ports nimbus-network creates for servers.
COMPUTE_OWNER = "compute:nova"

#: What :meth:`Allocator.allocate` did: the ports (rows, in request
#: order), ``{uuid: networks row}`` of the networks it read, and for the
#: ports it made (not the user's ports it bound, whose records it did
#: not read) ``{port uuid: {"fixed_ips": [...], "security_groups":
#: [...]}}``, what the caller's ``also`` returned (or None), and
#: ``{group uuid: [rule row, ...]}`` of the groups of the ports it made
#: when it read them (a batch does), else None.
Allocation = collections.namedtuple("Allocation",
                                    "ports networks made also rules",
                                    defaults=(None,))

#: One call of :meth:`Allocator.allocate`, as it waits to run.
_Request = collections.namedtuple(
    "_Request", "context instance_uuid project_id host requested "
                "security_groups hostname also")

#: Most requests one transaction serves (see :meth:`Allocator.allocate`).
BATCH_MAX = 16


def _port_values(network, project_id, name=None, instance_uuid=None,
                 host=None, hostname=None, device_owner=None, tag=None):
    """The column values of a new port on ``network`` (a ``networks``
    row).

    :raises InvalidInput: the network is external.
    """
    if network["external"]:
        raise exception.InvalidInput(
            reason=f"Network {network['uuid']} is external: servers "
                   f"cannot be attached to it")
    return {"network_id": network["uuid"], "project_id": project_id,
            "name": name, "instance_uuid": instance_uuid,
            "host": host, "dns_name": hostname,
            "device_owner": device_owner or (
                COMPUTE_OWNER if instance_uuid else None),
            "status": "ACTIVE" if instance_uuid else "DOWN",
            "preserve_on_delete": instance_uuid is None,
            "tag": tag if instance_uuid else None}


class Allocator:
    """Creates and releases ports with their addresses.

    :param conf: the configuration (``[network]``).
    :param db: the database API handle.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self._batches = coalesce.GroupCommit(self._allocate_batch,
                                             max_items=BATCH_MAX)
        self._releases = coalesce.GroupCommit(self._release_batch,
                                              max_items=BATCH_MAX)

    # -- ports ----------------------------------------------------------

    def create_port(self, context, network, project_id, fixed_ip=None,
                    name=None, security_groups=None, instance_uuid=None,
                    host=None, hostname=None, device_owner=None,
                    instance_groups=(), tag=None):
        """Create a port on ``network`` (a ``networks`` row) holding one
        address (``fixed_ip`` or any free one); returns its row. A port
        made without a server (the user's) survives the server it is
        later bound to; one made for a server goes with it.

        :param security_groups: group uuids; None: the project's
            ``default`` group.
        :raises FixedIpAlreadyInUse, FixedIpNotFound, NoMoreFixedIps:
            nothing is left behind.
        """
        values = _port_values(network, project_id, name, instance_uuid,
                              host, hostname, device_owner, tag)
        if security_groups is None:
            security_groups = [self.db.security_groups.get_default(
                context, project_id)["uuid"]] if project_id else []
        return self.db.ports.create_with_address(
            context, values, network["uuid"], self.conf.network.mac_prefix,
            address=fixed_ip, security_groups=security_groups,
            instance_groups=instance_groups,
            retries=self.conf.network.allocate_retries)

    def delete_port(self, context, port_uuid):
        """Delete a port (its address is free at once); returns its row,
        or None when it was already gone."""
        try:
            return self.db.ports.destroy(context, port_uuid)
        except exception.PortNotFound:
            return None

    # -- servers --------------------------------------------------------

    def allocate_for_instance(self, context, instance_uuid, project_id,
                              host, requested, security_groups,
                              hostname=None):
        """Give the server its ports; returns their rows in request
        order (see :meth:`allocate`)."""
        return self.allocate(context, instance_uuid, project_id, host,
                             requested, security_groups,
                             hostname=hostname).ports

    def allocate(self, context, instance_uuid, project_id, host, requested,
                 security_groups, hostname=None, also=None):
        """Give the server its ports; returns an :data:`Allocation` (the
        rows it read, so the caller need not read them again).

        Everything is read and written in one transaction, run again
        from its start when it loses a race the database settles by
        rolling it back (a deadlock, a MAC drawn twice): a failure
        leaves nothing behind. Only what a project's first boot makes
        (its ``default`` group, its own network in VLAN mode) is made
        before, each race-free on its own.

        Concurrent requests for new ports with any free address in the
        ``default`` group (a burst of boots) share one transaction: one
        turn of the writer, one commit. When that transaction fails as
        a whole (one request's error undoes all of them), each request
        runs again alone, so each gets its own outcome.

        :param requested: normalized requests (see
            :meth:`~nimbus.core.network.api.NetworkAPI.
            validate_requested_networks`): ``{"network_id", "fixed_ip",
            "port_id"}`` and maybe ``tag`` (the NIC's device tag);
            ``network_id`` None means the project's own
            network, created on its first boot (VLAN mode).
        :param security_groups: group names or ids of the server (the
            project's ``default`` when empty).
        :param also: ``also(context, allocation)`` is called with the
            :data:`Allocation` (its ``also`` None) inside the same
            transaction, to read what goes with it in the same snapshot
            (through ``context``, the transaction's); what it returns is
            ``also``.
        :raises: allocation errors, with nothing written.
        """
        requested = [dict(r) for r in requested]
        if any(not r.get("port_id") and not r.get("network_id")
               for r in requested):
            own = self.project_network(context, project_id)["uuid"]
            for request in requested:
                if not request.get("port_id"):
                    request["network_id"] = request.get("network_id") or own
        request = _Request(context, instance_uuid, project_id, host,
                           requested, list(security_groups or []), hostname,
                           also)
        if self._batchable(request):
            return self._batches.submit(request)
        return self._allocate_alone(request)

    def allocate_many(self, context, host, requests, also=None):
        """:meth:`allocate` for several servers of ``host`` at once (a
        compute's burst of boots in one message), through ``context``.
        Each request must be one that joins a burst
        (:func:`~nimbus.core.network.rpcapi.joins_bursts`, a kind
        :meth:`allocate` batches anyway): then nothing written depends on
        whose context it is. The requests join the batches queued with the others'.

        :param requests: dicts with ``instance_uuid``, ``project_id``,
            ``requested`` (each entry with its ``network_id``),
            ``security_groups`` and ``hostname``.
        :returns: one outcome per request, in order: an
            :data:`Allocation`, or the exception it met (nothing is
            written for it): :class:`InvalidInput` for a request that
            cannot share a batch.
        """
        outcomes, queued = [], []
        for values in requests:
            request = _Request(context, values["instance_uuid"],
                               values["project_id"], host,
                               [dict(r) for r in values["requested"]],
                               list(values["security_groups"] or []),
                               values.get("hostname"), also)
            if network_rpcapi.joins_bursts(request.requested,
                                           request.security_groups):
                queued.append(request)
                outcomes.append(None)
            else:
                outcomes.append(exception.InvalidInput(
                    reason=f"the network request of {request.instance_uuid}"
                           f" cannot be allocated with others"))
        done = iter(self._batches.submit_many(queued))
        return [next(done) if outcome is None else outcome
                for outcome in outcomes]

    @staticmethod
    def _batchable(request):
        """Whether the request may share a transaction with others': new
        ports with any free address in the project's ``default`` group,
        whose records depend on nothing the caller's context decides
        (which groups it may name)."""
        return all(not r.get("port_id") and not r.get("fixed_ip")
                   for r in request.requested) and \
            set(request.security_groups) <= {"default"}

    def _allocate_alone(self, request):
        """One request in a transaction of its own."""
        context = request.context
        for _attempt in range(2):
            done = self.db.writing_retried(context, lambda: self._allocate(
                context, request))
            if done is not None:
                return done
            # The project's first boot: make its group, then again.
            self.db.security_groups.get_default(context,
                                                request.project_id)
        raise exception.SecurityGroupNotFound(security_group_id="default")

    def _allocate_batch(self, requests):
        """:class:`~nimbus.core.network.coalesce.GroupCommit`'s run: the
        requests in one write transaction, through the first one's
        context (see :meth:`_batchable`); one outcome each. A request
        that cannot share it (its project's first boot), or every
        request of a batch that failed, runs alone after."""
        if len(requests) > 1:
            context = requests[0].context
            try:
                done = self.db.writing_retried(context, lambda: (
                    self._together(context, requests)))
            except Exception as err:
                LOG.debug("%d allocations failed together (%s); each runs "
                          "alone", len(requests), exception.message_of(err))
                done = [None] * len(requests)
        else:
            done = [None]
        outcomes = []
        for request, allocation in zip(requests, done, strict=True):
            if allocation is None:
                try:
                    allocation = self._allocate_alone(request)
                except Exception as err:
                    allocation = err
            outcomes.append(allocation)
        return outcomes

    def _together(self, context, requests):
        """One run of a batch's transaction (see :meth:`_batchable`):
        the networks, groups and rules read once, and every port made in
        a handful of statements (``db.port_batches``); None for a
        request whose project has no ``default`` group yet (nothing is
        written for it)."""
        seen = {}
        reads = [self._reads(context, r, seen) for r in requests]
        specs, owners = [], []
        for index, (request, read) in enumerate(zip(requests, reads,
                                                    strict=True)):
            if read is None:
                continue
            networks, groups = read
            for nic in request.requested:
                specs.append(self.db.port_batches.PortSpec(_port_values(
                    networks[nic["network_id"]], request.project_id,
                    instance_uuid=request.instance_uuid, host=request.host,
                    hostname=request.hostname, tag=nic.get("tag")),
                    groups, groups))
                owners.append(index)
        made = [[] for _request in requests]
        if specs:
            for index, row in zip(owners, self.db.port_batches.
                                  create_with_addresses(
                                      context, specs,
                                      self.conf.network.mac_prefix),
                                  strict=True):
                made[index].append(row)
        results = []
        for request, read, ports in zip(requests, reads, made, strict=True):
            if read is None:
                results.append(None)
                continue
            networks, groups = read
            rules = self._once(seen, ("rules", tuple(groups)),
                               lambda g=groups: self._rules(context, g))
            results.append(self._also(context, request, Allocation(
                ports, networks, {
                    p["uuid"]: {"fixed_ips": p["fixed_ips"],
                                "security_groups": list(
                                    dict.fromkeys(groups))}
                    for p in ports}, None, rules)))
        return results

    def _rules(self, context, groups):
        """``{group uuid: [rule row, ...]}`` of ``groups``."""
        by_group = {g: [] for g in groups}
        for rule in self.db.security_groups.rules_of(context, groups):
            by_group[rule["security_group_id"]].append(rule)
        return by_group

    def _reads(self, context, request, seen):
        """``(networks, groups)`` of the request (see :meth:`_allocate`),
        each read once per ``seen``; None while its project has no
        ``default`` group."""
        wanted = sorted({r["network_id"] for r in request.requested
                         if not r.get("port_id")})
        networks = {uuid: self._once(seen, ("network", uuid), lambda u=uuid:
                                     self.db.networks.get(context, u))
                    for uuid in wanted}
        groups = self._once(seen, ("groups", request.project_id,
                                   tuple(request.security_groups)),
                            lambda: self._groups_now(
                                context, request.project_id,
                                request.security_groups))
        return None if groups is None else (networks, groups)

    def _allocate(self, context, request):
        """One run of a request's transaction of its own, through
        ``context``; None, having written nothing, while the project has
        no ``default`` group."""
        read = self._reads(context, request, {})
        if read is None:
            return None
        networks, groups = read
        instance_uuid, project_id = request.instance_uuid, request.project_id
        requested, hostname = request.requested, request.hostname
        if not any(not r.get("port_id") for r in requested):
            for group in groups:  # no port made here to record them with
                self.db.security_groups.add_to_instance(
                    context, instance_uuid, group)
        made, bound = [], []
        for nic in requested:
            if nic.get("port_id"):
                port = self.db.ports.bind(
                    context, nic["port_id"], instance_uuid,
                    host=request.host, device_owner=COMPUTE_OWNER,
                    tag=nic.get("tag"))
                # A port of the user's keeps its own groups.
                bound.append(self.db.ports.update_port(
                    context, port["uuid"], {"dns_name": hostname}))
                continue
            made.append(self.create_port(
                context, networks[nic["network_id"]], project_id,
                fixed_ip=nic.get("fixed_ip"), security_groups=groups,
                instance_uuid=instance_uuid, host=request.host,
                hostname=hostname, instance_groups=groups,
                tag=nic.get("tag")))
        by_uuid = {p["uuid"]: p for p in made + bound}
        done = Allocation(list(by_uuid.values()), networks, {
            p["uuid"]: {"fixed_ips": p["fixed_ips"],
                        "security_groups": list(dict.fromkeys(groups))}
            for p in made}, None)
        return self._also(context, request, done)

    @staticmethod
    def _also(context, request, done):
        if request.also is None:
            return done
        return done._replace(also=request.also(context, done))

    @staticmethod
    def _once(seen, key, read):
        """``read()``, or what it gave for ``key`` earlier in the
        batch."""
        if key not in seen:
            seen[key] = read()
        return seen[key]

    def _groups_now(self, context, project_id, names_or_ids):
        """:meth:`resolve_groups` that makes nothing (it runs inside
        :meth:`allocate`'s transaction): None while the project has no
        ``default`` group and the server would be in it."""
        if not names_or_ids or "default" in names_or_ids:
            default = self.db.security_groups.find_default(context,
                                                           project_id) \
                if project_id else None
            if project_id and default is None:
                return None
            if not names_or_ids:
                return [default["uuid"]] if default else []
        return self.resolve_groups(context, project_id, names_or_ids)

    def deallocate_for_instance(self, context, instance_uuid):
        """Release every port of the server (ports nimbus made are
        deleted; ports the user made are unbound and kept) and its
        security groups; returns the rows of the ports as they were.

        Concurrent releases (a burst of deletes) share one transaction,
        as concurrent allocations do; a server released twice at once
        gives its ports to the first caller and none to the second."""
        return self._releases.submit((context, instance_uuid))

    def deallocate_many(self, context, instance_uuids):
        """:meth:`deallocate_for_instance` for several servers, queued
        together; returns one outcome per server, in order: its port rows
        as they were, or the exception it met."""
        return self._releases.submit_many(
            [(context, uuid) for uuid in instance_uuids])

    def _release_batch(self, items):
        """:class:`~nimbus.core.network.coalesce.GroupCommit`'s run for
        releases: one transaction, through the first item's context; when
        it fails, each release runs alone for its own outcome."""
        uuids = [uuid for _context, uuid in items]
        if len(items) > 1:
            try:
                released = self.db.ports.release_instances(items[0][0],
                                                           uuids)
            except Exception as err:
                LOG.debug("%d releases failed together (%s); each runs "
                          "alone", len(items), exception.message_of(err))
            else:
                return [released.pop(uuid, []) for uuid in uuids]
        outcomes = []
        for context, uuid in items:
            try:
                outcomes.append(self.db.ports.release_instance(context,
                                                               uuid))
            except Exception as err:
                outcomes.append(err)
        return outcomes

    def resolve_groups(self, context, project_id, names_or_ids):
        """Group uuids of ``names_or_ids`` in the project (the
        ``default`` group when empty).

        :raises SecurityGroupNotFound:
        """
        if not names_or_ids:
            return [self.db.security_groups.get_default(
                context, project_id)["uuid"]]
        result = []
        for ref in names_or_ids:
            group = self.find_group(context, project_id, ref)
            if group["uuid"] not in result:
                result.append(group["uuid"])
        return result

    def find_group(self, context, project_id, ref):
        """The group named or identified ``ref`` visible to the project.

        :raises SecurityGroupNotFound:
        :raises Conflict: several groups of the project have that name.
        """
        if ref == "default":
            return self.db.security_groups.get_default(context, project_id)
        by_id = self.db.security_groups.get_all(context, uuid=ref)
        if by_id and (project_id is None
                      or by_id[0]["project_id"] == project_id
                      or context.is_admin):
            return by_id[0]
        named = self.db.security_groups.get_all(context, name=ref,
                                                project_id=project_id)
        if len(named) > 1:
            raise exception.Conflict(
                reason=f"Multiple security groups named {ref} exist; use "
                       f"an id")
        if not named:
            raise exception.SecurityGroupNotFound(security_group_id=ref)
        return named[0]

    # -- per-project networks (VLAN mode) ---------------------------------

    def project_network(self, context, project_id):
        """The project's own network, created on its first boot from
        ``vlan_start``, ``network_size`` and ``fixed_range``.

        Concurrent first boots make one network: ``auto_project_id`` is
        unique, and VLAN ids and ranges are retried on collision.

        :raises NoMoreVlans: the VLAN ids or the range are exhausted.
        """
        existing = self.db.networks.get_all(context,
                                            auto_project_id=project_id)
        if existing:
            return existing[0]
        net_conf = self.conf.network
        for _attempt in range(8):
            taken = list(self.db.networks.cidrs(context).values())
            vlans = self.db.networks.vlans_in_use(context)
            count = self.db.networks.count_project_networks(context)
            if net_conf.num_networks and count >= net_conf.num_networks:
                raise exception.NoMoreVlans(
                    reason=f"num_networks ({net_conf.num_networks}) "
                           f"reached")
            vlan = next((v for v in range(net_conf.vlan_start, 4095)
                         if v not in vlans), None)
            cidr = ipam.carve(net_conf.fixed_range, net_conf.network_size,
                              taken)
            if vlan is None or cidr is None:
                raise exception.NoMoreVlans(
                    reason="no free VLAN id" if vlan is None else
                           f"fixed_range {net_conf.fixed_range} is full")
            plan = ipam.plan(cidr)
            values = {
                "name": f"{self.conf.network.default_network_name}-"
                        f"{project_id[:8]}",
                "project_id": project_id, "auto_project_id": project_id,
                "cidr": plan["cidr"], "gateway": plan["gateway"],
                "allocation_start": plan["allocation_start"],
                "allocation_end": plan["allocation_end"],
                "dns_servers": list(net_conf.dns_servers), "vlan": vlan,
                "bridge": f"{net_conf.vlan_bridge_prefix}{vlan}",
                "multi_host": net_conf.multi_host,
                "host": None if net_conf.multi_host else
                net_conf.network_host,
            }
            try:
                return self.db.networks.create(context, values,
                                               plan["addresses"])
            except exception.NetworkExists:
                existing = self.db.networks.get_all(
                    context, auto_project_id=project_id)
                if existing:
                    return existing[0]
                LOG.debug("VLAN %s taken meanwhile; retrying", vlan)
        raise exception.NoMoreVlans(reason="too many concurrent creations")

