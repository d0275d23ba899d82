"""Remote consoles of the compute API: a console URL for a running
guest, and what a console token grants (for the console proxy and the
``os-console-auth-tokens`` admin API).

:class:`ConsolesMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_capable``, ``compute_rpc`` and ``conf``.

Handing out a console: the compute service of the guest's host says
where the guest's VNC server listens (its hypervisor plugin's
``get_vnc_console``), a random token valid ``[consoleauth] token_ttl``
seconds is recorded for that address, and the URL carries the token to
the proxy (``[vnc] novncproxy_base_url``), which lets the client through
to that address and nowhere else.
"""

import urllib.parse

from nimbus.core import exception
from nimbus.core.compute import vm_states
from nimbus.core.objects import console_auth_token as cat_obj

#: protocol -> the console types nimbus serves for it.
SERVED = {"vnc": ("novnc",)}
#: every protocol -> console type the Compute API knows (Nova's), so a
#: known but unserved one is "unavailable", an unknown one "invalid".
KNOWN = {"vnc": ("novnc", "xvpvnc"), "spice": ("spice-html5",),
         "rdp": ("rdp-html5",), "serial": ("serial",), "mks": ("webmks",)}


def console_url(conf, token):
    """The URL of the noVNC page that opens the console of ``token``
    (noVNC reads the websocket path from its ``path`` parameter)."""
    base = conf.vnc.novncproxy_base_url
    query = urllib.parse.urlencode({"path": "?token=" + token})
    return base + ("&" if "?" in base else "?") + query


class ConsolesMixin:
    """get_remote_console and the console token look-up."""

    def get_remote_console(self, context, uuid, protocol, console_type):
        """Authorize a console of the running guest; return
        ``{"protocol", "type", "url"}``.

        :raises ConsoleTypeInvalid: ``console_type`` is not one of
            ``protocol``'s (400).
        :raises ConsoleTypeUnavailable: nimbus serves no such console (400).
        :raises InstanceInvalidState: the server is not ACTIVE (409).
        :raises ActionNotSupportedByHost: the host's plugin has no VNC
            consoles (409).
        :raises ConsoleUnavailable: the guest offers none right now (409).
        """
        if console_type not in KNOWN.get(protocol, ()):
            raise exception.ConsoleTypeInvalid(console_type=console_type)
        if console_type not in SERVED.get(protocol, ()):
            raise exception.ConsoleTypeUnavailable(console_type=console_type)
        instance = self.get(context, uuid)
        if instance.vm_state != vm_states.ACTIVE or instance.host is None:
            raise exception.InstanceInvalidState(
                action="get_vnc_console", instance_uuid=uuid,
                attr="vm_state", state=instance.vm_state)
        self._check_capable(context, instance, "get_vnc_console")
        address = self.compute_rpc.get_vnc_console(context, instance)
        token = cat_obj.ConsoleAuthToken.authorize(
            context, instance.uuid, console_type, address["host"],
            address["port"], self.conf.consoleauth.token_ttl,
            address.get("internal_access_path"))
        return {"protocol": protocol, "type": console_type,
                "url": console_url(self.conf, token.token)}

    def get_console_connect_info(self, context, token):
        """What a valid ``token`` grants: ``instance_uuid``,
        ``console_type``, ``host``, ``port``, ``internal_access_path``.

        :raises InvalidConsoleToken: unknown or expired (404).
        """
        found = cat_obj.ConsoleAuthToken.validate(context, token)
        return {key: getattr(found, key) for key in (
            "instance_uuid", "console_type", "host", "port",
            "internal_access_path")}
