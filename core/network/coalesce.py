"""Coalescing repeated work on one key (a network, a security group).

Fifty boots on one network each ask for the network's gateway side to be
brought up to date; one run after all fifty committed serves them all.
:class:`Updates` runs the work synchronously but lets one run cover
every request registered before it started (reading the records in
full, or taking the changes staged since the last run); :class:`Debouncer`
does it in the background after a short delay, for work nobody waits on.
"""

import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class _Staged:
    """One key's state in :class:`Updates`."""

    def __init__(self):
        self.requested = 0
        self.done = 0
        self.lock = threading.Lock()
        #: id -> item staged to add / to remove since the last run.
        self.added = {}
        self.removed = {}
        #: a full run succeeded and no run failed since.
        self.whole = False
        #: a caller asked for a full run since the last one.
        self.refresh = False

    def stage(self, added, removed):
        for item in removed:
            self.added.pop(item.id, None)
            self.removed[item.id] = item
        for item in added:
            self.removed.pop(item.id, None)
            self.added[item.id] = item

    def take(self):
        added, removed = self.added, self.removed
        self.added, self.removed = {}, {}
        return list(added.values()), list(removed.values())


class Updates:
    """Per key (a network), changes staged by many threads and applied by
    one run at a time: the whole state (``full()``, which reads the
    records) the first time and after any failure, then only what was
    staged since the last run (``delta(added, removed)``).

    ``run`` returns once a run that started after the call has finished
    (its own, or another thread's that covered it); items are anything
    with an ``id``. Stage only changes already committed: a full run
    that starts later reads them, and a staged item a full run covered
    is applied again by the next delta, which must therefore be
    idempotent.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._keys = {}

    def _state(self, key):
        """The key's state (``self._lock`` held)."""
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Staged()
        return state

    def stage(self, key, added=(), removed=()):
        """Stage changes of ``key`` for its next run (not run now). A
        key never run here keeps none: its first run is full."""
        with self._lock:
            state = self._keys.get(key)
            if state is not None:
                state.stage(added, removed)

    def reset(self, key, fn):
        """Call ``fn()`` (a teardown) alone for ``key``, never covered by
        another run; ``key``'s next run is full."""
        with self._lock:
            state = self._state(key)
        with state.lock:
            try:
                fn()
            finally:
                with self._lock:
                    state.whole = False
                    state.take()

    def run(self, key, full, delta=None, added=(), removed=(),
            refresh=False):
        """Stage ``added``/``removed``, then see them applied: by this
        thread, or by a run that started after the call. The run is full
        unless ``key``'s whole state is in force, ``delta`` is given and
        nobody asked for a full run (``refresh``) since the last one. A
        failed run raises to its caller and makes the next run full.

        :returns: whether this thread ran.
        """
        with self._lock:
            state = self._state(key)
            state.stage(added, removed)
            state.refresh = state.refresh or refresh
            state.requested += 1
            ticket = state.requested
        with state.lock:
            if state.done >= ticket:
                return False
            with self._lock:
                covered = state.requested
                added, removed = state.take()
                partial = delta is not None and state.whole and \
                    not state.refresh
                state.refresh = False
            try:
                if partial:
                    delta(added, removed)
                else:
                    full()
            except BaseException:
                with self._lock:
                    state.whole = False
                raise
            with self._lock:
                state.whole = True
                state.done = covered
            return True


class Debouncer:
    """Collect keys; once no key came for ``delay`` seconds (or the
    oldest waited ``max_delay``), call ``fn(keys)`` once on a worker
    thread with every key collected.

    One timer serves a burst: a key arriving while it waits only moves
    the due time, and the timer, when it wakes early, sleeps again for
    what is left (a burst of a hundred boots starts a few timer threads,
    not one each).
    """

    def __init__(self, fn, delay=0.2, max_delay=None):
        self._fn = fn
        self._delay = delay
        self._max_delay = max(delay, max_delay or delay * 5)
        self._lock = threading.Lock()
        self._pending = set()
        self._timer = None
        self._since = None
        self._last = None

    def add(self, keys):
        keys = set(keys)
        if not keys:
            return
        with self._lock:
            self._pending |= keys
            self._last = time.monotonic()
            if self._timer is None:
                self._since = self._last
                self._start(self._delay)

    def _start(self, wait):
        """Arm the timer (the lock held)."""
        self._timer = threading.Timer(max(wait, 0), self._due)
        self._timer.daemon = True
        self._timer.start()

    def _due(self):
        with self._lock:
            if self._timer is not threading.current_thread():
                return  # flushed or stopped meanwhile
            now = time.monotonic()
            due = min(self._last + self._delay,
                      self._since + self._max_delay)
            if now < due:
                self._start(due - now)
                return
        self._flush()

    def _flush(self):
        with self._lock:
            self._timer = None
            if not self._pending:
                return
            keys, self._pending = self._pending, set()
        try:
            self._fn(keys)
        except Exception:
            LOG.exception("Deferred refresh of %s failed", sorted(keys))

    def flush(self):
        """Run pending work now (on the caller's thread)."""
        with self._lock:
            timer = self._timer
        if timer is not None:
            timer.cancel()
            self._flush()

    def stop(self):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._pending = set()


class _Slot:
    """One caller's item in :class:`GroupCommit`."""

    __slots__ = ("item", "ready", "lead", "outcome")

    def __init__(self, item):
        self.item = item
        self.ready = threading.Event()
        #: this caller runs the next batch (set with ``ready``).
        self.lead = False
        #: what ``run`` gave for the item: its result or an exception.
        self.outcome = None


class GroupCommit:
    """Concurrent callers' items run together: one call of
    ``run(items)`` (one transaction, one commit) serves every item that
    arrived while the previous one ran.

    The first caller to find nothing running leads: it takes the items
    queued (up to ``max_items``), runs them, and hands each caller its
    own outcome; a caller that arrived meanwhile waits, and the first of
    them leads the next batch. Alone, a caller runs its item at once.

    :param run: ``run(items)`` returns one outcome per item, in order:
        its result, or the exception its caller is to raise. An
        exception ``run`` raises is every item's outcome.
    """

    def __init__(self, run, max_items=16):
        self._run = run
        self._max = max_items
        self._lock = threading.Lock()
        self._queue = []
        self._running = False

    def waiting(self):
        """How many items wait for the next batch."""
        with self._lock:
            return len(self._queue)

    def submit(self, item):
        """Run ``item`` with whatever else is queued; return its result
        or raise its exception."""
        (outcome,) = self.submit_many([item])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def submit_many(self, items):
        """Run ``items`` (one caller's, queued together) with whatever
        else is queued; return their outcomes in order: each a result or
        the exception it met (not raised)."""
        slots = [_Slot(item) for item in items]
        if not slots:
            return []
        with self._lock:
            self._queue.extend(slots)
            lead = not self._running
            self._running = True
        if lead:
            self._lead()
        for slot in slots:
            # Done by a batch already, or to be: this caller leads the
            # batch that starts with it when it is handed the lead.
            slot.ready.wait()
            if slot.lead:
                slot.lead = False
                self._lead()
        return [slot.outcome for slot in slots]

    def _lead(self):
        with self._lock:
            batch = self._queue[:self._max]
            del self._queue[:self._max]
        try:
            outcomes = self._run([s.item for s in batch])
        except BaseException as err:  # every waiting caller hears of it
            outcomes = [err] * len(batch)
        with self._lock:
            following = self._queue[0] if self._queue else None
            self._running = following is not None
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.outcome = outcome
            slot.ready.set()
        if following is not None:
            following.lead = True
            following.ready.set()
