"""Pick and claim hosts: filter, weigh, claim with optimistic retries.

:class:`Selector` does no I/O itself: claims go through a *claimer*
(``claim(host_state, consumer_uuid, spec)``, ``release(consumer_uuid)``;
a lost race raises :class:`~nimbus.core.exception.GenerationConflict` or
:class:`~nimbus.core.exception.GroupConflict`) and stale hosts are
re-read through a *refresh* callable, so the same code runs against PostgreSQL or in memory (the benchmark).

It keeps, per distinct request, a :class:`~nimbus.core.scheduler.ranking.
Ranking` of the passing hosts, best first, and updates it only for the
hosts the :class:`~nimbus.core.scheduler.host_state.HostSet` says changed.
"""

import collections
import json
import random

from oslo_log import log as logging

from nimbus.core import exception, metrics
from nimbus.core.scheduler import ranking as ranking_mod

LOG = logging.getLogger(__name__)


class Selector:
    """Filters and weighers, in configured order, applied to host states."""

    def __init__(self, conf, filters, weighers, cache_size=32):
        self.conf = conf
        self.filters = filters
        self.weighers = weighers
        self._rankings = collections.OrderedDict()
        self._cache_size = cache_size

    def select(self, host_set, spec, instance_uuids, claimer, refresh):
        """Claim a host for each instance; all or nothing.

        :param host_set: a :class:`HostSet`.
        :param spec: the :class:`~nimbus.core.interfaces.request_spec.
            RequestSpec` (not changed).
        :returns: per instance, ``[chosen] + alternates`` as selection
            ``dict`` objects.
        :raises NoValidHost: with an explanation of what removed the hosts.
        """
        if spec.group is not None:
            # Placing members adds to group.hosts: keep the caller's
            # spec as it was. Nothing else in the spec changes here.
            spec = spec.obj_clone()
        results = []
        try:
            for uuid in instance_uuids:
                results.append(self._select_one(host_set, spec, uuid,
                                                claimer, refresh))
        except Exception:
            for uuid in instance_uuids[:len(results)]:
                claimer.release(uuid)
            raise
        return results

    def _select_one(self, host_set, spec, uuid, claimer, refresh):
        sched = self.conf.scheduler
        subset = max(1, sched.host_subset_size)
        for _attempt in range(sched.claim_retries):
            best = self.ranking(host_set, spec).best(
                subset + sched.max_alternates)
            if not best:
                metrics.SCHEDULER_DECISIONS.labels("no_valid_host").inc()
                raise exception.NoValidHost(
                    reason=self.explain(host_set.hosts, spec))
            chosen = random.choice(best[:subset])
            try:
                claimer.claim(chosen, uuid, spec)
            except exception.GenerationConflict:
                refresh(chosen)
                continue
            except exception.GroupConflict as err:
                spec.group["hosts"] = list(err.hosts)
                continue
            chosen.consume(spec, uuid)
            host_set.touch(chosen)
            if spec.group is not None:
                spec.group["hosts"].append(chosen.host)
            alternates = [h for h in best if h is not chosen]
            metrics.SCHEDULER_DECISIONS.labels("selected").inc()
            return [_selection(chosen)] + [
                _selection(h) for h in alternates[:sched.max_alternates]]
        metrics.SCHEDULER_DECISIONS.labels("no_valid_host").inc()
        raise exception.NoValidHost(
            reason=f"claims conflicted {sched.claim_retries} times in a "
                   f"row; the hosts are changing faster than this "
                   f"scheduler can claim")

    def ranking(self, host_set, spec):
        """Return the up-to-date ranking of ``host_set`` for ``spec``."""
        key = json.dumps(spec.to_dict(), sort_keys=True, default=str)
        ranking = self._rankings.get(key)
        if ranking is None:
            # The ranking keeps re-filtering with its spec: give it its
            # own, or a later change to the caller's would reach it.
            ranking = ranking_mod.Ranking(self.filters, self.weighers,
                                          spec.obj_clone())
            self._rankings[key] = ranking
            if len(self._rankings) > self._cache_size:
                self._rankings.popitem(last=False)
        else:
            self._rankings.move_to_end(key)
        ranking.update(host_set)
        return ranking

    def filter_hosts(self, hosts, spec):
        """Return ``(passing hosts, [(filter name, reason, count)])``."""
        removed = []
        candidates = ranking_mod.restrict(hosts, spec, removed)
        for flt in self.filters:
            if not flt.applies(spec):
                continue
            passing = [h for h in candidates if flt.host_passes(h, spec)]
            if len(passing) != len(candidates):
                removed.append((_name(flt), flt.rejection,
                                len(candidates) - len(passing)))
            candidates = passing
            if not candidates:
                break
        return candidates, removed

    def explain(self, hosts, spec):
        """Say which filters removed how many of ``hosts``, and why."""
        _candidates, removed = self.filter_hosts(hosts, spec)
        return explain(len(hosts), removed)


def _name(flt):
    return getattr(flt, "plugin_name", type(flt).__name__)


def _selection(host):
    """What conductor is told of a chosen host: with the zone its
    aggregates gave it in this decision (None: the default zone), the
    zone conductor records for the server without reading it again."""
    return {"host": host.host, "nodename": host.nodename,
            "compute_node_uuid": host.uuid,
            "availability_zone": host.availability_zone}


def explain(total, removed):
    """Say, in one sentence, which filters removed how many hosts."""
    if total == 0:
        return "There are no compute hosts."
    parts = [f"{name} removed {count} ({reason})"
             for name, reason, count in removed]
    return (f"{total} compute host(s) considered: " + "; ".join(parts)
            + ".")
