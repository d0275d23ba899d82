"""/servers/{id}/diagnostics (administrators by default): what the
hypervisor measures of a running server; the standard format from
2.48."""

import pecan

from nimbus.api.openstack import common
from nimbus.api.openstack.views import diagnostics as view

POLICY = "os_compute_api:os-server-diagnostics"


class DiagnosticsController:
    """GET /servers/{id}/diagnostics."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json")
    def index(self):
        from nimbus.api.openstack.controllers import servers
        common.allow("GET")
        servers.get_authorized(self.server_id, POLICY)
        diags, uptime = common.services().compute.get_diagnostics(
            common.context(), self.server_id)
        if common.at_least(48):
            return common.reply(view.standard(diags, uptime))
        return common.reply(view.free_form(diags))
