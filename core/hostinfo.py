"""Facts about the machine a service runs on: uptime and CPU load.

Read by the compute service for ``os-hypervisors/{id}/uptime`` and by
every service's metrics (host CPU load), from ``/proc`` and
:func:`os.getloadavg` (Linux).
"""

import os
import time


def uptime_seconds(proc_uptime="/proc/uptime"):
    """Seconds since the host booted."""
    with open(proc_uptime) as f:
        return float(f.read().split()[0])


def load_average():
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def uptime_text(proc_uptime="/proc/uptime", now=None):
    """The host's ``uptime`` line, as Nova reports it::

        " 14:02:03 up 3 days,  2:03,  0 users,  load average: 0.50, ..."
    """
    seconds = int(uptime_seconds(proc_uptime))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    up = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    up += f"{hours:2d}:{minutes:02d}"
    load = ", ".join(f"{v:.2f}" for v in load_average())
    clock = time.strftime("%H:%M:%S", time.localtime(now))
    return f" {clock} up {up},  0 users,  load average: {load}"


def rss_bytes(proc_status="/proc/self/status"):
    """This process's resident memory in bytes (``VmRSS``), or 0 where
    /proc does not say."""
    try:
        with open(proc_status) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
