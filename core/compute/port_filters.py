"""The security-group state of one compute host, between nimbus-network's
messages and the network plugin's host side.

nimbus-network sends filters whose rules may name a remote group, and
each group's member addresses once per change (network RPC 1.1, compute
RPC 1.8). :class:`HostFilters` keeps the members per group and:

* with a plugin declaring ``remote_groups`` (contract 1.1), passes rules
  through and each changed group to ``set_group_members`` once: a
  membership change costs the host one set update;
* with an older plugin, resolves rules naming a group to one rule per
  member address and re-applies the filters of the ports whose rules
  name a group that changed (what contract 1.0 plugins expect).

Calls for one port never overlap (the compute holds the instance lock,
or nimbus-network's casts for a host arrive on one thread in order);
the group state has its own lock.
"""

import collections
import dataclasses
import threading

from oslo_log import log as logging

from nimbus.core.interfaces import network as net_iface

LOG = logging.getLogger(__name__)


class HostFilters:
    """See the module doc.

    :param driver: the network plugin (host side).
    """

    def __init__(self, driver):
        self.driver = driver
        self._lock = threading.Lock()
        #: group uuid -> frozenset of member addresses.
        self._members = {}
        #: port id -> (NetworkSpec, PortFilter as sent) of filtered ports.
        self._filters = {}
        #: group uuid -> how many filtered ports' rules name it.
        self._named = collections.Counter()

    @property
    def enabled(self):
        return self.driver.capabilities.security_groups

    @property
    def native(self):
        """Whether the plugin keeps group membership itself."""
        return getattr(self.driver.capabilities, "remote_groups", False)

    def members(self, group_id):
        with self._lock:
            return self._members.get(group_id, frozenset())

    def held_groups(self):
        """Groups whose members this host holds and nimbus-network keeps
        current: those the rules of a port filtered here name (it pushes
        their changes to this host). A boot need not carry them."""
        with self._lock:
            return [g for g in self._named if g in self._members]

    # -- messages -----------------------------------------------------------

    def set_filter(self, network, port_filter, remote_groups=None):
        """Enforce ``port_filter`` (rules may name groups of
        ``remote_groups``: ``{uuid: [address, ...]}``)."""
        if not self.enabled:
            return
        port_id = port_filter.port.id
        self.update_groups(remote_groups, skip={port_id})
        with self._lock:
            self._forget(port_id)
            self._filters[port_id] = (network, port_filter)
            self._named.update(_named(port_filter))
        self.driver.set_port_filter(network, self._resolved(port_filter))

    def remove_filter(self, network, port):
        if not self.enabled:
            return
        with self._lock:
            self._forget(port.id)
        self.driver.remove_port_filter(network, port)

    def _forget(self, port_id):
        """Drop a port's filter from the records (the lock held)."""
        old = self._filters.pop(port_id, None)
        for group in _named(old[1]) if old else ():
            self._named[group] -= 1
            if not self._named[group]:
                del self._named[group]  # no port here names it now

    def update_groups(self, remote_groups, skip=()):
        """New member addresses of groups; apply what changed.

        :param skip: ports whose filters the caller applies next anyway.
        """
        changed = []
        for group_id, addresses in sorted((remote_groups or {}).items()):
            new = frozenset(addresses)
            with self._lock:
                if self._members.get(group_id) == new:
                    continue
                self._members[group_id] = new
            changed.append(group_id)
            if self.enabled and self.native:
                self.driver.set_group_members(group_id, sorted(new))
        if changed and self.enabled and not self.native:
            self._refilter(set(changed), set(skip))
        return changed

    # -- contract 1.0 plugins -----------------------------------------------

    def _refilter(self, groups, skip):
        with self._lock:
            todo = [(pid, net, pf) for pid, (net, pf) in self._filters.items()
                    if pid not in skip and any(
                        r.remote_group_id in groups for r in pf.rules)]
        for port_id, network, port_filter in todo:
            try:
                self.driver.set_port_filter(network,
                                            self._resolved(port_filter))
            except Exception:
                LOG.exception("Filtering port %s failed", port_id)

    def _resolved(self, port_filter):
        """``port_filter`` as the plugin takes it."""
        if self.native or not any(r.remote_group_id
                                  for r in port_filter.rules):
            return port_filter
        rules, seen = [], set()
        for rule in port_filter.rules:
            if rule.remote_group_id is None:
                expanded = [rule]
            else:
                expanded = [dataclasses.replace(
                    rule, remote_group_id=None, remote_cidr=f"{a}/32")
                    for a in sorted(self.members(rule.remote_group_id))]
            for one in expanded:
                key = dataclasses.astuple(one)
                if key not in seen:
                    seen.add(key)
                    rules.append(one)
        return net_iface.PortFilter(port=port_filter.port, rules=rules)


def _named(port_filter):
    """The remote groups ``port_filter``'s rules name (each once)."""
    return {r.remote_group_id for r in port_filter.rules
            if r.remote_group_id}
