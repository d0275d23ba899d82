"""Pause points for crash-recovery tests (``[fault_injection] pause_at``).

A workflow calls :func:`pause_point` at the steps named in :data:`STEPS`;
when the step is listed in ``[fault_injection] pause_at`` the calling thread logs
``paused at <step>`` and sleeps until the process is killed (the test
SIGKILLs it by PID once it sees the line). Unset, a pause point costs one
list lookup.
"""

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
}


def pause_point(conf, step, uuid=None):
    """Sleep forever at ``step`` when ``[fault_injection] pause_at`` names it."""
    if step not in conf.fault_injection.pause_at:
        return
    LOG.warning("paused at %(step)s (%(uuid)s) until killed",
                {"step": step, "uuid": uuid})
    while True:
        time.sleep(3600)
