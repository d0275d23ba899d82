"""The host-state cache: compute nodes, services, allocations, aggregates.

The first request reads everything; later ones read only the rows changed
since the last read (every ``change_margin / 2`` seconds since the last
such sweep minus ``[scheduler] change_margin``), allocations of nodes
whose generation moved, and aggregates only when their version changed. Everything is
re-read every ``[scheduler] full_refresh_interval`` seconds, and
:meth:`HostManager.refresh` re-reads one node after a claim conflict.
"""

import dataclasses
import datetime
import json
import time

from oslo_utils import timeutils

from nimbus.core import servicegroup
from nimbus.core.scheduler.host_state import HostSet, HostState


class HostManager:
    """Keeps one :class:`HostSet` current for this scheduler process.

    :param conf: the configuration (``[scheduler]``).
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.host_set = HostSet()
        self._by_id = {}
        self._services = {}
        self._mark = self._services_mark = self._sweep_mark = None
        self._full_at = self._sweep_at = 0.0
        self._liveness_at = 0.0
        self._agg_version = None
        #: node id -> the row (its values) last copied into its state
        self._applied = {}

    def get_host_states(self, context):
        """Return the current :class:`HostSet` (refreshed).

        Usually one cheap read on a held connection; a session (one
        transaction for several reads) is opened only when there is more
        to read.
        """
        now = time.monotonic()
        if self._mark is None or \
                now - self._full_at > self.conf.scheduler.full_refresh_interval:
            with self.db.host_states.snapshot(context):
                self.full_reload(context)
            return self.host_set
        started = timeutils.utcnow()
        moved, structural = self._changed_nodes(
            self.db.host_states.node_versions(
                context, self._node_since(started, now)))
        liveness = now - self._liveness_at >= 1.0
        if moved or structural or liveness:
            with self.db.host_states.snapshot(context):
                self._read_changes(context, moved, structural,
                                   liveness and started)
        return self.host_set

    def _read_changes(self, context, moved, structural, started):
        """Re-read moved nodes (everything if ``structural``), and the
        once-a-second pieces if ``started`` (the refresh's start)."""
        if structural:
            self.full_reload(context)
            return
        self._update_nodes(context, moved)
        if started:
            self._update_aggregates(context)
            # Aggregates change rarely and heartbeats matter to the
            # second: read them, re-judge liveness and count I/O
            # operations at most once a second.
            self._update_services(self.db.host_states.compute_services(
                context, since=self._services_mark))
            self._services_mark = started - _margin(self.conf)
            self._update_liveness_and_io(context)
            self._liveness_at = time.monotonic()

    def _node_since(self, started, now):
        """Return from when to read changed nodes, and move the marks.

        Usually from the previous read's start: a few rows. Every
        ``change_margin / 2`` seconds instead from the previous such
        sweep minus ``change_margin``, which catches transactions that
        committed after their timestamp and clocks of other hosts that
        lag, without re-reading the whole margin's rows every time.
        """
        since, self._mark = self._mark, started
        if now - self._sweep_at >= self.conf.scheduler.change_margin / 2:
            since = self._sweep_mark
            self._sweep_mark = started - _margin(self.conf)
            self._sweep_at = now
        return since

    def full_reload(self, context):
        """Re-read every host from scratch."""
        self._mark = self._services_mark = self._sweep_mark = \
            timeutils.utcnow() - _margin(self.conf)
        self._full_at = self._liveness_at = self._sweep_at = \
            time.monotonic()
        self._services = {s["host"]: s for s in
                          self.db.host_states.compute_services(context)}
        allocations = self.db.host_states.allocations(context)
        nodes = self.db.host_states.nodes(context)
        if self._by_id and len(nodes) == len(self._by_id) and all(
                n["id"] in self._by_id for n in nodes):
            self._reload_in_place(context, nodes, allocations)
            return
        states = []
        self._applied = {}
        for node in nodes:
            state = HostState.from_node(node)
            self._applied[node["id"]] = _row(node)
            state.instances = allocations.get(node["id"], set())
            self._apply_service(state)
            states.append(state)
        self._by_id = {s.node_id: s for s in states}
        self._agg_version = None
        self._update_aggregates(context, touch=False)
        self._apply_io_ops(context, touch=False)
        self.host_set.replace(states)

    def _reload_in_place(self, context, nodes, allocations):
        """The same hosts as before: bring each state up to date and
        mark only the ones that differ as changed, so the rankings
        re-place those instead of re-filtering every host (at 10,000
        hosts a periodic full reload re-filtered them all, under the
        decision lock)."""
        now = timeutils.utcnow()
        for node in nodes:
            state = self._by_id[node["id"]]
            instances = allocations.get(node["id"], set())
            row = _row(node)
            if row == self._applied.get(node["id"]) and \
                    state.generation == node["generation"] and \
                    state.instances == instances:
                # The row last copied in, and nothing claimed here
                # since: only liveness can have changed (at 10,000
                # hosts comparing every state whole took most of a
                # second, under the decision lock).
                self._set_service(state, now)
                continue
            before = _comparable(state)
            state.update_from_node(node)
            self._applied[node["id"]] = row
            state.instances = instances
            self._apply_service(state, now)
            if _comparable(state) != before:
                self.host_set.touch(state)
        # Aggregates are re-read when their version moved, as every
        # second.
        self._update_aggregates(context)
        self._apply_io_ops(context, touch=True)

    def refresh(self, context, host_state):
        """Re-read one node (after a generation conflict)."""
        node = self.db.compute_nodes.get(context, host_state.node_id)
        host_state.update_from_node(node)
        # not a host_states row: the next full reload compares it whole
        self._applied.pop(host_state.node_id, None)
        host_state.instances = self.db.host_states.allocations(
            context, [host_state.node_id]).get(host_state.node_id, set())
        self.host_set.touch(host_state)

    # -- incremental pieces ------------------------------------------------

    def _update(self, state, node):
        """Copy ``node`` (a ``host_states.nodes`` row) into ``state``."""
        state.update_from_node(node)
        self._applied[node["id"]] = _row(node)

    def _apply_service(self, state, now=None):
        service = self._services.get(state.host)
        state.service_up = bool(service) and not service["deleted"] and \
            servicegroup.is_up(self.conf, service, now)
        state.service_disabled = bool(service and service["disabled"])

    def _update_services(self, rows):
        hosts = set()
        for row in rows:
            old = self._services.get(row["host"])
            if old is not None and old["updated_at"] == row["updated_at"] \
                    and old["deleted"] == row["deleted"]:
                continue
            self._services[row["host"]] = row
            hosts.add(row["host"])
        if not hosts:
            return
        for state in self.host_set.hosts:
            if state.host in hosts:
                self._set_service(state)

    def _set_service(self, state, now=None):
        before = (state.service_up, state.service_disabled)
        self._apply_service(state, now)
        if before != (state.service_up, state.service_disabled):
            state.version += 1
            self.host_set.touch(state)

    def _changed_nodes(self, versions):
        """Return ``(moved host states, whether hosts came or went)``."""
        moved, structural = [], False
        for node_id, generation, failed, deleted in versions:
            state = self._by_id.get(node_id)
            if state is None or deleted:
                structural |= state is not None or not deleted
            elif (generation, failed) != (state.generation,
                                          state.failed_builds):
                moved.append(state)
        return moved, structural

    def _update_nodes(self, context, moved):
        """Re-read the rows and allocations of ``moved`` host states."""
        if not moved:
            return
        ids = [state.node_id for state in moved]
        rows = {r["id"]: r for r in self.db.host_states.nodes(context, ids)}
        allocations = self.db.host_states.allocations(context, ids)
        for state in moved:
            if state.node_id in rows:
                self._update(state, rows[state.node_id])
                state.instances = allocations.get(state.node_id, set())
                self.host_set.touch(state)

    def _update_aggregates(self, context, touch=True):
        version = self.db.aggregates.version(context)
        if version == self._agg_version:
            return
        self._agg_version = version
        by_host = {}
        for agg in self.db.aggregates.get_all(context):
            for host in agg["hosts"]:
                by_host.setdefault(host, []).append(agg)
        for state in self.host_set.hosts if touch else self._by_id.values():
            aggs = by_host.get(state.host, [])
            zones = [a["availability_zone"] for a in aggs
                     if a["availability_zone"]]
            state.aggregates = aggs
            state.availability_zone = zones[0] if zones else None
            state.version += 1
            if touch:
                self.host_set.touch(state)

    def _update_liveness_and_io(self, context):
        now = timeutils.utcnow()
        for state in self.host_set.hosts:
            self._set_service(state, now)
        self._apply_io_ops(context, touch=True)

    def _apply_io_ops(self, context, touch):
        counts = self.db.host_states.io_ops(context)
        for state in self._by_id.values():
            value = counts.get(state.host, 0)
            if value != state.io_ops:
                state.io_ops = value
                state.version += 1
                if touch:
                    self.host_set.touch(state)


def _row(node):
    """A ``host_states.nodes`` row's values, to compare with a later
    read of it."""
    return tuple(node.values())


def _comparable(state):
    """What filters and weighers may read of ``state``, to compare."""
    values = {f.name: getattr(state, f.name)
              for f in dataclasses.fields(state)
              if f.name not in ("version", "updated_at", "aggregates")}
    values["instances"] = frozenset(values["instances"])
    values["cpu_info"] = json.dumps(values["cpu_info"], sort_keys=True)
    return values


def _margin(conf):
    return datetime.timedelta(seconds=conf.scheduler.change_margin)


class DatabaseClaimer:
    """Claims resources with one guarded transaction per claim.

    :param db: the database API of the scheduler.
    """

    def __init__(self, context, db):
        self.context = context
        self.db = db

    def claim(self, host_state, consumer_uuid, spec):
        vcpus, memory_mb, disk_gb = host_state.needs(spec)
        nodes = self.db.compute_nodes
        nodes.claim(self.context, host_state.node_id,
                    host_state.generation, consumer_uuid, vcpus, memory_mb,
                    disk_gb, group=spec.group, host=host_state.host)

    def release(self, consumer_uuid):
        self.db.compute_nodes.release(self.context, consumer_uuid)
