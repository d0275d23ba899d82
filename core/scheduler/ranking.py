"""Ranking: the passing hosts of one request, best first, kept current.

Nova filters and weighs every host on every request. Here a ranking is
built once per distinct request spec and then updated only for the hosts
that changed (usually just the one the last decision claimed), so a
decision costs about the same at 10,000 hosts as at 100.

NOTE(scheduler): weights are normalised by a per-weigher scale fixed when
the ranking is built (the largest absolute raw value among the passing
hosts, or 1), rather than by min/max over the candidates at every
decision as Nova does. A host's total then depends only on that host, so
a changed host can be re-placed without re-weighing the others. The scale
is refreshed whenever the ranking is rebuilt (hosts added or removed, or
more than a quarter of them changed).
"""

import bisect
import itertools

from nimbus.core import metrics

_SEQ = itertools.count()


def restrict(hosts, spec, removed=None):
    """Drop hosts already tried and, if hosts or a destination were
    requested, the rest."""
    tried = set(spec.tried_hosts)
    requested = spec.requested_hosts
    candidates = [h for h in hosts if h.host not in tried]
    if removed is not None and len(candidates) != len(hosts):
        removed.append(("retry", "build already failed there",
                        len(hosts) - len(candidates)))
    if requested:
        kept = [h for h in candidates if h.host in requested]
        if removed is not None and len(kept) != len(candidates):
            removed.append(("requested_hosts", "not the requested host",
                            len(candidates) - len(kept)))
        candidates = kept
    if spec.requested_destination is not None:
        kept = [h for h in candidates
                if spec.destination_allows(h.host, h.nodename)]
        if removed is not None and len(kept) != len(candidates):
            removed.append(("requested_destination",
                            "not the requested host or node",
                            len(candidates) - len(kept)))
        candidates = kept
    return candidates


class Ranking:
    """Passing hosts of one request spec ordered by total weight."""

    def __init__(self, filters, weighers, spec):
        self.spec = spec
        self.filters = [f for f in filters if f.applies(spec)]
        self.weighers = [w for w in weighers if w.applies(spec)]
        self._tried = set(spec.tried_hosts)
        self._requested = set(spec.requested_hosts)
        wanted = spec.requested_destination
        self._destination = None if wanted is None else (
            wanted["host"], wanted["node"])
        self._position = None
        self._order = []     # sorted [(-total, seq, host)]
        self._keys = {}      # id(host) -> its entry in _order
        self._scales = []

    def best(self, count):
        """Return up to ``count`` hosts, best first."""
        return [entry[2] for entry in self._order[:count]]

    def update(self, host_set):
        """Bring the ranking up to date with ``host_set``."""
        changed = None
        if self._position is not None:
            changed = host_set.changed_since(self._position)
        if changed is None or len(changed) > max(
                64, len(host_set.hosts) // 4):
            self._rebuild(host_set.hosts)
        else:
            for host in dict.fromkeys(changed):
                self._replace(host)
        self._position = host_set.position

    def _passes(self, host):
        if host.host in self._tried or (
                self._requested and host.host not in self._requested):
            return False
        if self._destination is not None and (
                self._destination[0] not in (None, host.host) or
                self._destination[1] not in (None, host.nodename)):
            return False
        spec = self.spec
        for flt in self.filters:
            if not flt.host_passes(host, spec):
                metrics.FILTER_REJECTIONS.labels(
                    getattr(flt, "plugin_name", type(flt).__name__)).inc()
                return False
        return True

    def _raw(self, host):
        spec = self.spec
        return [w.weigh(host, spec) for w in self.weighers]

    def _total(self, host, raw):
        return sum(w.multiplier(host) * value / scale for w, value, scale
                   in zip(self.weighers, raw, self._scales, strict=True))

    def _rebuild(self, hosts):
        passing = [h for h in hosts if self._passes(h)]
        raws = [self._raw(h) for h in passing]
        self._scales = [
            max((abs(r[i]) for r in raws), default=0.0) or 1.0
            for i in range(len(self.weighers))]
        self._order = sorted(
            (-self._total(h, raw), next(_SEQ), h)
            for h, raw in zip(passing, raws, strict=True))
        self._keys = {id(entry[2]): entry for entry in self._order}

    def _replace(self, host):
        old = self._keys.pop(id(host), None)
        if old is not None:
            index = bisect.bisect_left(self._order, old)
            del self._order[index]
        if self._passes(host):
            entry = (-self._total(host, self._raw(host)), next(_SEQ), host)
            bisect.insort(self._order, entry)
            self._keys[id(host)] = entry
