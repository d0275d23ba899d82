"""Coalescing repeated work on one key (a network, a security group).

Fifty boots on one network each ask for the network's gateway side to be
re-applied; applying it once after all fifty committed serves them all.
:class:`Coalescer` runs the work synchronously but lets one run cover
every request registered before it started reading the records;
:class:`Debouncer` does it in the background after a short delay, for
work nobody waits on.
"""

import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class Coalescer:
    """``run(key, fn)``: call ``fn()`` unless a run for ``key`` that
    started after this request was made has already finished.

    Callers must register (call :meth:`run`) only after their own record
    changes are committed: a run that starts later reads them.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._keys = {}

    def run(self, key, fn):
        with self._lock:
            state = self._keys.setdefault(
                key, {"requested": 0, "done": 0, "lock": threading.Lock()})
            state["requested"] += 1
            ticket = state["requested"]
        with state["lock"]:
            if state["done"] >= ticket:
                return False
            with self._lock:
                covered = state["requested"]
            fn()
            state["done"] = covered
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
