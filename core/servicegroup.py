"""Whether a service is up: heartbeats recorded in the database.

A service is up when it is not forced down and its last heartbeat is no
older than ``service_down_time`` seconds. (The metrics samplers have the
database judge every service at once by the same rule:
:func:`nimbus.core.db.api.services.liveness`.)
"""

from oslo_utils import timeutils


def is_up(conf, service, now=None):
    """Return whether ``service`` (object or dict) is alive.

    :param now: the current UTC time, when judging many services at once.
    """
    get = service.get if isinstance(service, dict) else \
        lambda k: getattr(service, k)
    if get("forced_down"):
        return False
    last = get("last_seen_up") or get("updated_at") or get("created_at")
    if last is None:
        return False
    last = last.replace(tzinfo=None) if last.tzinfo else last
    elapsed = ((now or timeutils.utcnow()) - last).total_seconds()
    return abs(elapsed) <= conf.service_down_time
