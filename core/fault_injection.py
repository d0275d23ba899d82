"""Pause points for crash-recovery tests (``[fault_injection] pause_at``).

A workflow calls :func:`pause_point` at the steps named in :data:`STEPS`;
when the step is listed in ``[fault_injection] pause_at`` the calling thread logs
``paused at <step>`` and sleeps until the process is killed (the test
SIGKILLs it by PID once it sees the line). An entry ``<step>:<n>`` pauses
the n-th time this process reaches the step (the earlier ones pass), so a
test can kill a service in the middle of a burst rather than at its first
request. Unset, a pause point costs one list lookup.
"""

import collections
import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

#: the steps a test can pause a service at (service: where).
STEPS = {
    # conductor, resize/cold migration: the source sent the disks (guest
    # stopped and set aside), the destination has not been asked yet.
    "resize.sent": "conductor",
    # destination compute, resize: about to create the moved guest.
    "resize.finish": "compute",
    # conductor, live migration: the destination is prepared, the source
    # not yet told to migrate.
    "live.prepared": "conductor",
    # source compute, live migration: the hypervisor is moving the guest
    # (the first progress sample).
    "live.running": "compute",
    # nimbus-volume, create: the backend holds the new volume (an image
    # not yet copied in), the record is still ``creating``.
    "volume.create": "volume",
    # nimbus-volume, initialize_connection: the export exists and is
    # recorded, the caller (a compute attaching it) has no answer yet.
    "volume.connect": "volume",
}

_reached = collections.Counter()
_reached_lock = threading.Lock()


def _wanted(entries, step):
    """The ordinal at which ``step`` pauses (0: every time), or None."""
    for entry in entries:
        name, _sep, count = entry.partition(":")
        if name == step:
            return int(count) if count.isdigit() else 0
    return None


def pause_point(conf, step, uuid=None):
    """Sleep forever at ``step`` when ``[fault_injection] pause_at`` names it
    (``<step>`` or ``<step>:<n>``: the n-th time it is reached)."""
    entries = conf.fault_injection.pause_at
    if not entries:
        return
    wanted = _wanted(entries, step)
    if wanted is None:
        return
    if wanted:
        with _reached_lock:
            _reached[step] += 1
            if _reached[step] != wanted:
                return
    LOG.warning("paused at %(step)s (%(uuid)s) until killed",
                {"step": step, "uuid": uuid})
    while True:
        time.sleep(3600)
