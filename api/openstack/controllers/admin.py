"""/os-services and /os-hypervisors (admin only)."""

import json

import pecan

from nimbus.api.openstack import common
from nimbus.api.openstack.controllers import services
from nimbus.api.openstack.views import service_names as names
from nimbus.core import exception

S = "os_compute_api:os-services:%s"
H = "os_compute_api:os-hypervisors:%s"


def _authorized(rule):
    common.authorize(rule)
    return common.context()


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def service_view(service):
    return {
        "id": service["id"], "binary": names.nova_binary(service["binary"]),
        "host": service["host"], "zone": "nova"
        if service["binary"] == "nimbus-compute" else "internal",
        "status": "disabled" if service["disabled"] else "enabled",
        "state": "up" if service["is_up"] else "down",
        "updated_at": _time(service["last_seen_up"] or
                            service["updated_at"]),
        "disabled_reason": service["disabled_reason"],
    } | ({"forced_down": bool(service["forced_down"])}
         if common.at_least(11) else {})


class ServicesController:
    """/os-services."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET")
        ctx = _authorized(S % "list")
        get = pecan.request.GET
        services = common.services().admin.list_services(
            ctx, binary=names.nimbus_binary(get.get("binary")),
            host=get.get("host"))
        return common.reply({"services": [service_view(s)
                                          for s in services]})

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if remainder:
            raise exception.NotFound()
        return services.ServiceController(segment), remainder


def hypervisor_view(node, detailed):
    service = node.get("service") or {}
    up = service.get("is_up", False)
    body = {"id": node["id"], "hypervisor_hostname":
            node["hypervisor_hostname"],
            "state": "up" if up else "down",
            "status": "disabled" if service.get("disabled") else "enabled"}
    if not detailed:
        return body
    info = node["cpu_info"]
    body.update({
        "hypervisor_type": node["hypervisor_type"],
        "hypervisor_version": node["hypervisor_version"],
        "vcpus": node["vcpus"], "vcpus_used": node["vcpus_used"],
        "memory_mb": node["memory_mb"],
        "memory_mb_used": node["memory_mb_used"],
        "local_gb": node["local_gb"], "local_gb_used": node["local_gb_used"],
        "free_ram_mb": node["memory_mb"] - node["memory_mb_used"],
        "free_disk_gb": node["local_gb"] - node["local_gb_used"],
        "running_vms": node["running_vms"],
        "current_workload": 0, "disk_available_least": node["local_gb"] -
        node["local_gb_used"],
        "host_ip": node["host_ip"] or "127.0.0.1",
        "cpu_info": _cpu_info(info),
        "service": {"host": node["host"], "id": service.get("id"),
                    "disabled_reason": service.get("disabled_reason")},
    })
    return body


def _cpu_info(info):
    """A JSON string to 2.27, an object from 2.28 (Nova's)."""
    if common.at_least(28):
        return json.loads(info) if isinstance(info, str) and info \
            else (info or {})
    return info if isinstance(info, str) else json.dumps(info)


class HypervisorController:
    def __init__(self, node_id):
        self.node_id = node_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        ctx = _authorized(H % "show")
        try:
            node = common.services().admin.get_hypervisor(ctx, self.node_id)
        except exception.ComputeNodeNotFound:
            raise exception.NotFound(
                message=f"Hypervisor {self.node_id} could not be found.")
        return common.reply({"hypervisor": hypervisor_view(node, True)})

    @pecan.expose("json")
    def uptime(self):
        """The host's ``uptime`` line, asked of its compute service."""
        common.allow("GET")
        ctx = _authorized(H % "uptime")
        try:
            node = common.services().admin.get_hypervisor_uptime(
                ctx, self.node_id)
        except exception.ComputeNodeNotFound:
            raise exception.NotFound(
                message=f"Hypervisor {self.node_id} could not be found.")
        body = hypervisor_view(node, False)
        body["uptime"] = node["uptime"]
        return common.reply({"hypervisor": body})


    def _search(self, with_servers):
        if common.at_least(53):
            raise exception.NotFound()  # query parameters from 2.53
        ctx = _authorized(H % ("servers" if with_servers else "search"))
        try:
            nodes = common.services().admin.search_hypervisors(
                ctx, self.node_id, with_servers)
        except exception.ComputeNodeNotFound:
            raise exception.NotFound(
                message=f"No hypervisor matching '{self.node_id}' could "
                        "be found.")
        found = []
        for node in nodes:
            body = hypervisor_view(node, False)
            if node.get("servers"):
                body["servers"] = node["servers"]
            found.append(body)
        return common.reply({"hypervisors": found})

    @pecan.expose("json")
    def search(self):
        """Hypervisors whose name contains the path's pattern (to 2.52)."""
        common.allow("GET")
        return self._search(with_servers=False)

    @pecan.expose("json")
    def servers(self):
        """The same, with each one's servers (to 2.52)."""
        common.allow("GET")
        return self._search(with_servers=True)


class HypervisorsController:
    """/os-hypervisors, /detail, /statistics, /{id}."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return self._list(False)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return self._list(True)

    def _list(self, detailed):
        ctx = _authorized(H % ("list-detail" if detailed else "list"))
        if not common.at_least(33):
            nodes = common.services().admin.list_hypervisors(ctx)
            return common.reply({"hypervisors": [
                hypervisor_view(n, detailed) for n in nodes]})
        # 2.33: pages by node id, a bad marker is a 400 (Nova's).
        limit = common.limit_param()
        nodes = common.services().admin.list_hypervisors(
            ctx, limit=limit, marker=pecan.request.GET.get("marker"))
        body = {"hypervisors": [hypervisor_view(n, detailed)
                                for n in nodes]}
        links = common.next_link(
            "os-hypervisors/detail" if detailed else "os-hypervisors",
            nodes, limit)
        if links:
            body["hypervisors_links"] = links
        return common.reply(body)

    @pecan.expose("json")
    def statistics(self):
        common.allow("GET")
        ctx = _authorized(H % "statistics")
        stats = common.services().admin.hypervisor_statistics(ctx)
        body = dict(stats)
        body["free_ram_mb"] = stats["memory_mb"] - stats["memory_mb_used"]
        body["free_disk_gb"] = stats["local_gb"] - stats["local_gb_used"]
        body["current_workload"] = 0
        body["disk_available_least"] = body["free_disk_gb"]
        return common.reply({"hypervisor_statistics": body})

    @pecan.expose("json")
    def _lookup(self, node_id, *remainder):
        return HypervisorController(node_id), remainder
