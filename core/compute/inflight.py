"""Per-instance locks that also say which instances are being worked on.

Every RPC method of the compute takes its instance's lock for as long as
it works on it. :class:`InFlight` counts the holders and waiters, so the
periodic orphan check (:meth:`nimbus.core.compute.power_sync.PowerSync.
settle_orphans`) can tell a task state some thread here still owns from
one whose work was lost: a build whose reply from the conductor never
came, an action whose cast the broker dropped.

It also remembers the instances terminated here lately, so that a build
the delete overtook (both casts race to the host's queue) is dropped
rather than spawned for a server that is gone.
"""

import collections
import contextlib
import threading

from oslo_concurrency import lockutils


class InFlight:
    """The instances a compute manager is working on now."""

    #: how many terminated instances are remembered (the oldest go)
    REMEMBERED_TERMINATIONS = 4096

    def __init__(self):
        self._mutex = threading.Lock()
        self._count = collections.Counter()
        self._terminated = collections.OrderedDict()

    @contextlib.contextmanager
    def lock(self, uuid):
        """Hold the instance's lock; it counts as in flight from the
        moment the caller asks until it lets go."""
        with self._mutex:
            self._count[uuid] += 1
        try:
            with lockutils.lock(f"instance-{uuid}"):
                yield
        finally:
            with self._mutex:
                self._count[uuid] -= 1
                if not self._count[uuid]:
                    del self._count[uuid]

    def __contains__(self, uuid):
        with self._mutex:
            return uuid in self._count

    def note_terminated(self, uuid):
        """Remember that ``uuid`` was terminated here."""
        with self._mutex:
            self._terminated[uuid] = True
            self._terminated.move_to_end(uuid)
            if len(self._terminated) > self.REMEMBERED_TERMINATIONS:
                self._terminated.popitem(last=False)

    def was_terminated(self, uuid):
        """Whether ``uuid`` was terminated here lately (see
        :meth:`note_terminated`)."""
        with self._mutex:
            return uuid in self._terminated
