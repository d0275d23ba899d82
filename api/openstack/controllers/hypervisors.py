"""/os-hypervisors (admin only): integer ids to 2.52, the compute node's
UUID from 2.53, where the ``{pattern}/search`` and ``{pattern}/servers``
routes become the ``hypervisor_hostname_pattern`` and ``with_servers``
query parameters. From 2.88 detailed bodies lose the resource figures
and carry the host's ``uptime`` instead, and ``/statistics`` and
``/{id}/uptime`` are gone (404)."""

import json

import pecan
from oslo_utils import strutils, uuidutils

from nimbus.api.openstack import common, schemas_admin
from nimbus.core import exception

H = "os_compute_api:os-hypervisors:%s"


def _authorized(rule):
    common.authorize(rule)
    return common.context()


def hypervisor_view(node, detailed, with_servers=False):
    """A hypervisor's body; ``with_servers``: the caller asked for its
    servers (from 2.75 ``servers`` is then there even when empty)."""
    service = node.get("service") or {}
    up = service.get("is_up", False)
    by_uuid = common.at_least(53)
    body = {"id": node["uuid"] if by_uuid else node["id"],
            "hypervisor_hostname": node["hypervisor_hostname"],
            "state": "up" if up else "down",
            "status": "disabled" if service.get("disabled") else "enabled"}
    if detailed:
        body.update(_details(node, service, by_uuid))
        if common.at_least(88):
            body["uptime"] = node.get("uptime")
    if node.get("servers"):
        body["servers"] = node["servers"]
    elif with_servers and common.at_least(75):
        body["servers"] = []
    return body


def _details(node, service, by_uuid):
    details = {
        "hypervisor_type": node["hypervisor_type"],
        "hypervisor_version": node["hypervisor_version"],
        "host_ip": node["host_ip"] or "127.0.0.1",
        "service": {"host": node["host"],
                    "id": service.get("uuid" if by_uuid else "id"),
                    "disabled_reason": service.get("disabled_reason")},
    }
    if not common.at_least(88):
        details.update(_figures(node))
    return details


def _figures(node):
    """The resource figures of a detailed body, to 2.87."""
    return {
        "vcpus": node["vcpus"], "vcpus_used": node["vcpus_used"],
        "memory_mb": node["memory_mb"],
        "memory_mb_used": node["memory_mb_used"],
        "local_gb": node["local_gb"], "local_gb_used": node["local_gb_used"],
        "free_ram_mb": node["memory_mb"] - node["memory_mb_used"],
        "free_disk_gb": node["local_gb"] - node["local_gb_used"],
        "running_vms": node["running_vms"],
        "current_workload": 0, "disk_available_least": node["local_gb"] -
        node["local_gb_used"],
        "cpu_info": _cpu_info(node["cpu_info"]),
    }


def _cpu_info(info):
    """A JSON string to 2.27, an object from 2.28 (Nova's)."""
    if common.at_least(28):
        return json.loads(info) if isinstance(info, str) and info \
            else (info or {})
    return info if isinstance(info, str) else json.dumps(info)


def _with_servers(params):
    return strutils.bool_from_string(params.get("with_servers", False),
                                     strict=True)


class HypervisorController:
    """/os-hypervisors/{id}, its uptime, and (to 2.52) the search and
    servers routes, where the segment is a name pattern."""

    def __init__(self, node_id):
        self.node_id = node_id

    def _node_id(self):
        """From 2.53 a hypervisor is named by its UUID: anything else is
        a 400 (Nova's)."""
        if common.at_least(53) and not uuidutils.is_uuid_like(self.node_id):
            raise exception.Invalid(message=f"Invalid uuid {self.node_id}")
        return self.node_id

    def _not_found(self):
        return exception.NotFound(
            message=f"Hypervisor {self.node_id} could not be found.")

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        with_servers = False
        if common.at_least(53):
            params = common.query(schemas_admin.HYPERVISOR_SHOW_QUERY_V253)
            with_servers = _with_servers(params)
        ctx = _authorized(H % "show")
        try:
            node = common.services().admin.get_hypervisor(
                ctx, self._node_id(), with_servers=with_servers,
                with_uptime=common.at_least(88))
        except exception.ComputeNodeNotFound:
            raise self._not_found()
        return common.reply({"hypervisor": hypervisor_view(
            node, True, with_servers)})

    @pecan.expose("json")
    def uptime(self):
        """The host's ``uptime`` line, asked of its compute service (to
        2.87; from 2.88 it is in the detailed bodies)."""
        common.allow("GET")
        if common.at_least(88):
            raise exception.NotFound()
        ctx = _authorized(H % "uptime")
        try:
            node = common.services().admin.get_hypervisor_uptime(
                ctx, self._node_id())
        except exception.ComputeNodeNotFound:
            raise self._not_found()
        body = hypervisor_view(node, False)
        body["uptime"] = node["uptime"]
        return common.reply({"hypervisor": body})

    def _search(self, with_servers):
        if common.at_least(53):
            raise exception.NotFound()  # query parameters from 2.53
        ctx = _authorized(H % ("servers" if with_servers else "search"))
        nodes = _matching(ctx, self.node_id, with_servers)
        return common.reply({"hypervisors": [
            hypervisor_view(node, False) for node in nodes]})

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


def _matching(ctx, pattern, with_servers):
    try:
        return common.services().admin.search_hypervisors(
            ctx, pattern, with_servers)
    except exception.ComputeNodeNotFound:
        raise exception.NotFound(
            message=f"No hypervisor matching '{pattern}' could be found.")


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
        params = common.query(schemas_admin.HYPERVISORS_QUERY_V253) \
            if common.at_least(53) else \
            {"marker": pecan.request.GET.get("marker")}
        ctx = _authorized(H % ("list-detail" if detailed else "list"))
        admin = common.services().admin
        if not common.at_least(33):
            return common.reply({"hypervisors": [
                hypervisor_view(n, detailed)
                for n in admin.list_hypervisors(ctx)]})
        pattern = params.get("hypervisor_hostname_pattern")
        with_servers = _with_servers(params)
        if pattern is not None:
            return self._list_matching(ctx, pattern, with_servers, detailed)
        # 2.33: pages by node (its id; from 2.53 its UUID); a bad marker
        # is a 400 (Nova's).
        limit = common.limit_param()
        nodes = admin.list_hypervisors(
            ctx, limit=limit, marker=params.get("marker"),
            with_servers=with_servers,
            with_uptime=detailed and common.at_least(88))
        body = {"hypervisors": [hypervisor_view(n, detailed, with_servers)
                                for n in nodes]}
        links = common.next_link(
            "os-hypervisors/detail" if detailed else "os-hypervisors",
            nodes, limit, id_key="uuid" if common.at_least(53) else "id")
        if links:
            body["hypervisors_links"] = links
        return common.reply(body)

    @staticmethod
    def _list_matching(ctx, pattern, with_servers, detailed):
        """2.53: the hypervisors whose name contains ``pattern``; one
        answer, never paged."""
        get = pecan.request.GET
        if "limit" in get or get.get("marker"):
            raise exception.Invalid(
                message="Paging over hypervisors with the "
                        "hypervisor_hostname_pattern query parameter is "
                        "not supported.")
        nodes = _matching(ctx, pattern, with_servers)
        if detailed and common.at_least(88):
            common.services().admin.add_uptimes(ctx, nodes)
        return common.reply({"hypervisors": [
            hypervisor_view(n, detailed, with_servers) for n in nodes]})

    @pecan.expose("json")
    def statistics(self):
        """Sums of the resource figures (to 2.87; gone from 2.88)."""
        common.allow("GET")
        if common.at_least(88):
            raise exception.NotFound()
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
