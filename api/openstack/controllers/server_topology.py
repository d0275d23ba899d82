"""/servers/{id}/topology (2.78): the server's NUMA topology.

nimbus places no guest on NUMA cells (no flavor or image property asks
for one, and no hypervisor plugin pins CPUs or memory to host nodes), so
every server answers as Nova answers for one without a NUMA topology:
no nodes and no page size."""

import pecan

from nimbus.api.openstack import common
from nimbus.core import exception

POLICY = "compute:server:topology:index"


class TopologyController:
    """GET /servers/{id}/topology."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json")
    def index(self):
        from nimbus.api.openstack.controllers import servers
        common.allow("GET")
        if not common.at_least(78):
            raise exception.NotFound()
        servers.get_authorized(self.server_id, POLICY)
        return common.reply({"nodes": [], "pagesize_kb": None})
