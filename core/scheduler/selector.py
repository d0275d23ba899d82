"""Pick and claim hosts: filter, weigh, claim with optimistic retries.

:class:`Selector` holds no state between requests and does no I/O itself;
claims go through a *claimer* (``claim(host_state, consumer_uuid, spec)``,
``release(consumer_uuid)``) and stale hosts are re-read through a
*refresh* callable, so the same code runs against PostgreSQL or in memory.
"""

import random

from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)


class GenerationConflict(Exception):
    """A claimer found the host changed since it was read."""


class Selector:
    """Filters and weighers, in configured order, applied to host states."""

    def __init__(self, conf, filters, weighers):
        self.conf = conf
        self.filters = filters
        self.weighers = weighers

    def select(self, hosts, spec, instance_uuids, claimer, refresh):
        """Claim a host for each instance; all or nothing.

        :returns: per instance, ``[chosen] + alternates`` as selection
            ``dict`` objects.
        :raises NoValidHost: with an explanation of what removed the hosts.
        """
        results = []
        try:
            for uuid in instance_uuids:
                results.append(self._select_one(hosts, spec, uuid, claimer,
                                                refresh))
        except Exception:
            for uuid in instance_uuids[:len(results)]:
                claimer.release(uuid)
            raise
        return results

    def _select_one(self, hosts, spec, uuid, claimer, refresh):
        retries = self.conf.scheduler.claim_retries
        for _attempt in range(retries):
            candidates, removed = self.filter_hosts(hosts, spec)
            if not candidates:
                raise exception.NoValidHost(
                    reason=explain(len(hosts), removed))
            ordered = self.weigh_hosts(candidates, spec)
            subset = ordered[:max(1, self.conf.scheduler.host_subset_size)]
            chosen = random.choice(subset)
            try:
                claimer.claim(chosen, uuid, spec)
            except GenerationConflict:
                refresh(chosen)
                continue
            chosen.consume(spec)
            alternates = [h for h in ordered if h is not chosen]
            alternates = alternates[:self.conf.scheduler.max_alternates]
            return [_selection(chosen)] + [_selection(h) for h in alternates]
        raise exception.NoValidHost(
            reason=f"claims conflicted {retries} times in a row; the hosts "
                   f"are changing faster than this scheduler can claim")

    def filter_hosts(self, hosts, spec):
        """Return ``(passing hosts, [(filter name, reason, count)])``."""
        removed = []
        candidates = _restrict(hosts, spec, removed)
        for flt in self.filters:
            passing = [h for h in candidates if flt.host_passes(h, spec)]
            if len(passing) != len(candidates):
                removed.append((_name(flt), flt.rejection,
                                len(candidates) - len(passing)))
            candidates = passing
            if not candidates:
                break
        return candidates, removed

    def weigh_hosts(self, hosts, spec):
        """Return hosts best first (normalised, multiplied weights)."""
        if len(hosts) < 2 or not self.weighers:
            return list(hosts)
        totals = [0.0] * len(hosts)
        for weigher in self.weighers:
            raw = [weigher.weigh(h, spec) for h in hosts]
            low, high = min(raw), max(raw)
            span = (high - low) or 1.0
            for i, host in enumerate(hosts):
                totals[i] += weigher.multiplier(host) * (raw[i] - low) / span
        order = sorted(range(len(hosts)), key=lambda i: -totals[i])
        return [hosts[i] for i in order]


def _restrict(hosts, spec, removed):
    tried = set(spec.get("tried_hosts") or ())
    requested = spec.get("requested_hosts")
    candidates = [h for h in hosts if h.host not in tried]
    if len(candidates) != len(hosts):
        removed.append(("retry", "build already failed there",
                        len(hosts) - len(candidates)))
    if requested:
        kept = [h for h in candidates if h.host in requested]
        if len(kept) != len(candidates):
            removed.append(("requested_hosts", "not the requested host",
                            len(candidates) - len(kept)))
        candidates = kept
    return candidates


def _name(flt):
    return getattr(flt, "plugin_name", type(flt).__name__)


def _selection(host):
    return {"host": host.host, "nodename": host.nodename,
            "compute_node_uuid": host.uuid}


def explain(total, removed):
    """Say, in one sentence, which filters removed how many hosts."""
    if total == 0:
        return "There are no compute hosts."
    parts = [f"{name} removed {count} ({reason})"
             for name, reason, count in removed]
    return (f"{total} compute host(s) considered: " + "; ".join(parts)
            + ".")
