"""POST /servers/{id}/action: one key names the action."""

import pecan

from nimbus.api import http
from nimbus.api.openstack import common, schemas
from nimbus.api.openstack.controllers import (
    remote_consoles,
    security_groups,
    server_image_actions,
    server_live,
)
from nimbus.core import exception

# action -> (policy rule, core method name)
_SIMPLE = {
    "os-start": ("os_compute_api:servers:start", "start"),
    "os-stop": ("os_compute_api:servers:stop", "stop"),
    "pause": ("os_compute_api:os-pause-server:pause", "pause"),
    "unpause": ("os_compute_api:os-pause-server:unpause", "unpause"),
    "suspend": ("os_compute_api:os-suspend-server:suspend", "suspend"),
    "resume": ("os_compute_api:os-suspend-server:resume", "resume"),
    "trigger_crash_dump": ("os_compute_api:servers:trigger_crash_dump",
                           "trigger_crash_dump"),
}
#: action -> the first microversion that has it (a 404 below, as Nova).
_SINCE = {"trigger_crash_dump": 17}
#: action -> the last microversion that has it (a 404 above, as Nova).
_UNTIL = {"os-getVNCConsole": remote_consoles.VNC_ACTION_UNTIL}
_RULES = {
    "reboot": "os_compute_api:servers:reboot",
    "lock": "os_compute_api:os-lock-server:lock",
    "unlock": "os_compute_api:os-lock-server:unlock",
    "os-resetState": "os_compute_api:os-admin-actions:reset_state",
    "os-getConsoleOutput": "os_compute_api:os-console-output",
    "addSecurityGroup": "os_compute_api:os-security-groups:add",
    "removeSecurityGroup": "os_compute_api:os-security-groups:remove",
    "resize": "os_compute_api:servers:resize",
    "confirmResize": "os_compute_api:servers:confirm_resize",
    "revertResize": "os_compute_api:servers:revert_resize",
    "migrate": "os_compute_api:os-migrate-server:migrate",
    "os-migrateLive": server_live.RULE,
    "os-getVNCConsole": remote_consoles.RULE,
    "changePassword": "os_compute_api:os-admin-password",
}
_MOVES = ("resize", "confirmResize", "revertResize", "migrate")
# action -> what does it, given (context, instance, arguments).
_NETWORK = {"addSecurityGroup": security_groups.add_to_server,
            "removeSecurityGroup": security_groups.remove_from_server}


def _check_known(data):
    """An unknown action is a 404, as in Nova (not a schema error)."""
    if isinstance(data, dict) and len(data) == 1:
        name, = data
        if name not in schemas.ACTIONS or \
                not common.at_least(_SINCE.get(name, 1)) or \
                common.at_least(_UNTIL.get(name, 999) + 1):
            raise exception.NotFound(
                message=f"There is no such action: {name}")


def _locked_reason(args):
    """2.73: the ``locked_reason`` of the lock body (checked; None
    without one). Below 2.73 Nova takes any body and ignores it."""
    if not common.at_least(73):
        return None
    http.validate({"lock": args}, schemas.LOCK_V273)
    return (args or {}).get("locked_reason")


def _console_output(ctx, compute, uuid, args):
    length = (args or {}).get("length")
    length = int(length) if length is not None else None
    if length == -1:
        length = None
    return common.reply(
        {"output": compute.get_console_output(ctx, uuid, length)})


def _move(ctx, compute, uuid, name, args):
    if name == "resize":
        compute.resize(ctx, uuid, str(args["flavorRef"]).rsplit("/", 1)[-1])
    elif name == "confirmResize":
        compute.confirm_resize(ctx, uuid)
    elif name == "revertResize":
        compute.revert_resize(ctx, uuid)
    else:
        host = (args or {}).get("host")
        if host is not None and not common.at_least(56):
            raise exception.ValidationError(
                field="migrate",
                reason="Additional properties are not allowed ('host' was "
                       "unexpected) before microversion 2.56")
        compute.migrate(ctx, uuid, host=host)


class ServerActionController:
    """POST /servers/{id}/action."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        pecan.abort(405, headers={"Allow": "POST"})

    @index.when(method="POST", template="json")
    def post(self):
        data = http.read_json(pecan.request)
        _check_known(data)
        http.validate(data, schemas.SERVER_ACTION)
        (name, args), = data.items()
        from nimbus.api.openstack.controllers import servers
        rule = _SIMPLE[name][0] if name in _SIMPLE else \
            server_image_actions.RULES.get(name) or _RULES[name]
        instance = servers.get_authorized(self.server_id, rule)
        ctx = common.context()
        compute = common.services().compute
        uuid = instance.uuid
        if name in server_image_actions.RULES:
            return server_image_actions.handle(name, args, instance)
        if name in _SIMPLE:
            getattr(compute, _SIMPLE[name][1])(ctx, uuid)
        elif name in _NETWORK:
            _NETWORK[name](ctx, instance, args)
        elif name == "reboot":
            compute.reboot(ctx, uuid, args["type"].upper())
        elif name == "lock":
            compute.lock(ctx, uuid, reason=_locked_reason(args))
        elif name == "unlock":
            compute.unlock(ctx, uuid, override=common.may(
                rule + ":unlock_override",
                {"project_id": instance.project_id}))
        elif name == "os-migrateLive":
            server_live.migrate_live(ctx, compute, instance, args)
        elif name == "changePassword":
            compute.set_admin_password(ctx, uuid, args["adminPass"])
        elif name == "os-resetState":
            compute.reset_state(ctx, uuid, args["state"])
        elif name in _MOVES:
            _move(ctx, compute, uuid, name, args)
            if name == "confirmResize":
                return common.reply(None, 204)      # Nova's
        elif name == "os-getVNCConsole":
            return remote_consoles.get_vnc_console(ctx, compute, uuid, args)
        else:
            return _console_output(ctx, compute, uuid, args)
        return common.reply(None, 202)
