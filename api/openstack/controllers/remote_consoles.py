"""Remote consoles: ``os-getVNCConsole`` (2.1-2.5),
/servers/{id}/remote-consoles (2.6; MKS in the schema from 2.8) and
/os-console-auth-tokens/{token} (administrators; every console type
from 2.31)."""

import pecan

from nimbus.api.openstack import common, schemas_consoles
from nimbus.core import exception

RULE = "os_compute_api:os-remote-consoles"
TOKENS_RULE = "os_compute_api:os-console-auth-tokens"
#: the last microversion with the os-getVNCConsole action.
VNC_ACTION_UNTIL = 5


def get_vnc_console(ctx, compute, uuid, args):
    """The os-getVNCConsole action: ``{"console": {"type", "url"}}``."""
    console = compute.get_remote_console(ctx, uuid, "vnc", args["type"])
    return common.reply({"console": {"type": console["type"],
                                     "url": console["url"]}})


def _not_found():
    return exception.NotFound(message="The resource could not be found.")


class RemoteConsolesController:
    """POST /servers/{id}/remote-consoles."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        if not common.at_least(6):
            raise _not_found()
        common.allow("POST")

    @index.when(method="POST", template="json")
    def post(self):
        if not common.at_least(6):
            raise _not_found()
        wanted = common.body(schemas_consoles.remote_console(
            mks=common.at_least(8)))["remote_console"]
        from nimbus.api.openstack.controllers import servers
        instance = servers.get_authorized(self.server_id, RULE)
        console = common.services().compute.get_remote_console(
            common.context(), instance.uuid, wanted["protocol"],
            wanted["type"])
        return common.reply({"remote_console": console})


class ConsoleAuthTokensController:
    """GET /os-console-auth-tokens/{token}."""

    @pecan.expose("json")
    def index(self):
        raise _not_found()

    @pecan.expose("json")
    def _lookup(self, token, *remainder):
        if remainder:
            raise _not_found()
        return ConsoleAuthTokenController(token), ()


class ConsoleAuthTokenController:
    """/os-console-auth-tokens/{token}."""

    def __init__(self, token):
        self.token = token

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET")
        common.authorize(TOKENS_RULE)
        try:
            found = common.services().compute.get_console_connect_info(
                common.context(), self.token)
        except exception.InvalidConsoleToken:
            raise exception.NotFound(
                message="The token's console is not found") from None
        # Before 2.31 Nova shows only RDP consoles' details.
        if not common.at_least(31) and found["console_type"] != "rdp-html5":
            raise exception.Invalid(
                reason="The requested console type details are not "
                       "accessible")
        return common.reply({"console": {
            key: found[key] for key in ("instance_uuid", "host", "port",
                                        "internal_access_path")}})
