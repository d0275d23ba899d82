"""``/os-hypervisors``: list, detailed list, show, uptime, statistics.

2.28 makes ``cpu_info`` an object; 2.33 pages the lists
(``hypervisors_links``); 2.53 names hypervisors and their services by
UUID and lists their servers when asked (``with_servers``); 2.88 drops
the resource figures from detailed bodies and adds ``uptime``, and
removes ``/statistics`` and ``/{id}/uptime`` (their ranges end at 2.87).
"""

from nimbus.api.openstack.responses import types as t

H = "/os-hypervisors"
LAST = 87
#: what 2.88 takes out of a detailed body.
_FIGURES = ("cpu_info", "current_workload", "disk_available_least",
            "free_disk_gb", "free_ram_mb", "local_gb", "local_gb_used",
            "memory_mb", "memory_mb_used", "running_vms", "vcpus",
            "vcpus_used")

_MAYBE_INT = {"type": ["integer", "null"]}
_SERVERS = t.array(t.obj({"name": t.STRING, "uuid": t.STRING},
                         required=("name", "uuid")))
_BRIEF = t.obj({"id": t.INTEGER, "hypervisor_hostname": t.STRING,
                "state": {"enum": ["up", "down"]},
                "status": {"enum": ["enabled", "disabled"]}},
               required=("id", "hypervisor_hostname", "state", "status"))
_DETAIL = t.evolve(_BRIEF, add={
    "cpu_info": t.STRING, "current_workload": _MAYBE_INT,
    "disk_available_least": _MAYBE_INT, "free_disk_gb": _MAYBE_INT,
    "free_ram_mb": _MAYBE_INT, "host_ip": t.NULLABLE_STRING,
    "hypervisor_type": t.STRING,
    "hypervisor_version": {"type": ["string", "integer"]},
    "local_gb": t.INTEGER, "local_gb_used": t.INTEGER,
    "memory_mb": t.INTEGER, "memory_mb_used": t.INTEGER,
    "running_vms": _MAYBE_INT, "vcpus": t.INTEGER, "vcpus_used": t.INTEGER,
    "service": t.obj({"id": t.INTEGER, "host": t.STRING,
                      "disabled_reason": t.NULLABLE_STRING},
                     required=("id", "host", "disabled_reason")),
}, require=("cpu_info", "current_workload", "free_disk_gb", "free_ram_mb",
            "host_ip", "hypervisor_type", "hypervisor_version", "local_gb",
            "local_gb_used", "memory_mb", "memory_mb_used", "running_vms",
            "vcpus", "vcpus_used", "service"))


def hypervisor(minor, detailed):
    body = _DETAIL if detailed else _BRIEF
    if minor >= 28 and detailed:
        # the driver's own keys
        body = t.evolve(body, add={"cpu_info": {"type": "object"}})
    if minor >= 53:
        body = t.evolve(body, add={"id": t.STRING, "servers": _SERVERS})
        if detailed:
            service = t.evolve(body["properties"]["service"],
                               add={"id": t.STRING})
            body = t.evolve(body, add={"service": service})
    if minor >= 88 and detailed:
        body = t.evolve(body, drop=_FIGURES,
                        add={"uptime": t.NULLABLE_STRING},
                        require=["uptime"])
    return body


def _list(minor, detailed):
    properties = {"hypervisors": t.array(hypervisor(minor, detailed))}
    if minor >= 33:
        properties["hypervisors_links"] = t.COLLECTION_LINKS
    return t.obj(properties, required=("hypervisors",))


def _show(minor):
    return t.obj({"hypervisor": hypervisor(minor, True)},
                 required=("hypervisor",))


def _uptime(minor):
    body = t.evolve(hypervisor(minor, False),
                    add={"uptime": t.NULLABLE_STRING}, require=["uptime"])
    return t.obj({"hypervisor": body}, required=("hypervisor",))


def _ranges(build, breaks, last=LAST):
    ends = [b - 1 for b in breaks[1:]] + [last]
    return [(first, last, build(first))
            for first, last in zip(breaks, ends, strict=True)]


_STATISTICS = t.obj({"hypervisor_statistics": t.obj(
    {name: t.INTEGER for name in (
        "count", "local_gb", "local_gb_used", "memory_mb", "memory_mb_used",
        "vcpus", "vcpus_used")} | {name: _MAYBE_INT for name in (
            "current_workload", "disk_available_least", "free_disk_gb",
            "free_ram_mb", "running_vms")},
    required=("count", "current_workload", "disk_available_least",
              "free_disk_gb", "free_ram_mb", "local_gb", "local_gb_used",
              "memory_mb", "memory_mb_used", "running_vms", "vcpus",
              "vcpus_used"))}, required=("hypervisor_statistics",))

SCHEMAS = {
    ("GET", H): _ranges(lambda m: _list(m, False), (1, 33, 53), None),
    ("GET", H + "/detail"): _ranges(lambda m: _list(m, True),
                                    (1, 28, 33, 53, 88), None),
    ("GET", H + "/{hypervisor_id}"): _ranges(_show, (1, 28, 53, 88), None),
    ("GET", H + "/{hypervisor_id}/uptime"): _ranges(_uptime, (1, 53)),
    # gone at 2.88
    ("GET", H + "/statistics"): [(1, LAST, _STATISTICS)],
}
