"""Usage reports: what each project ran over a period (the data behind
``os-simple-tenant-usage``), from the instance records, deleted ones
included.

A server's usage in ``[start, end)`` is the part of its life between
``launched_at`` and ``terminated_at`` (or now) that falls in the
period, in hours, times its vCPUs, memory and disk.
"""

import datetime

from oslo_utils import timeutils


class UsageAPI:
    """Per-project usage over a period.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def usages(self, context, start, end, project_id=None):
        """``{project_id: usage}`` for every project (or one) that ran a
        server in ``[start, end)``; see :meth:`_usage` for the shape."""
        return self.usage_page(context, start, end, project_id)[0]

    def usage_page(self, context, start, end, project_id=None,
                   limit=None, marker=None):
        """:meth:`usages` over one page of the servers (oldest first):
        at most ``limit`` of them, those after ``marker`` (a server
        uuid). Returns ``(usages, uuids of the page's servers)``.

        :raises InvalidInput: ``marker`` is no server of the period.
        """
        now = timeutils.utcnow().replace(tzinfo=None)
        end = min(end, now)
        by_project, uuids = {}, []
        for inst in self.db.instances.active_between(
                context, start, end, project_id, limit=limit,
                marker=marker):
            uuids.append(inst["uuid"])
            by_project.setdefault(inst["project_id"], []).append(
                _server_usage(inst, start, end, now))
        return ({project: _usage(project, servers, start, end)
                 for project, servers in by_project.items()}, uuids)


def _hours(first, last):
    return max((last - first).total_seconds(), 0) / 3600.0


def _server_usage(inst, start, end, now):
    started = inst["launched_at"]
    ended = inst["terminated_at"]
    hours = _hours(max(started, start), min(ended or now, end))
    local_gb = (inst["root_gb"] or 0) + (inst["ephemeral_gb"] or 0)
    return {
        "instance_id": inst["uuid"], "name": inst["display_name"],
        "hours": hours, "memory_mb": inst["memory_mb"],
        "local_gb": local_gb, "vcpus": inst["vcpus"],
        "tenant_id": inst["project_id"], "flavor": inst["flavor_name"],
        "started_at": _iso(started), "ended_at": _iso(ended),
        "state": "terminated" if ended else inst["vm_state"],
        "uptime": int(((ended or now) - started).total_seconds()),
    }


def _usage(project, servers, start, end):
    return {
        "tenant_id": project,
        "total_local_gb_usage": sum(s["local_gb"] * s["hours"]
                                    for s in servers),
        "total_vcpus_usage": sum(s["vcpus"] * s["hours"] for s in servers),
        "total_memory_mb_usage": sum(s["memory_mb"] * s["hours"]
                                     for s in servers),
        "total_hours": sum(s["hours"] for s in servers),
        "start": _iso(start), "stop": _iso(end),
        "server_usages": servers,
    }


def _iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return str(value)
