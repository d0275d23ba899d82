"""Consoles and guest-facing extras: ``POST
/servers/{server_id}/remote-consoles`` (2.6; MKS from 2.8), a console
token's connection (``/os-console-auth-tokens/{console_token}``), the
password the guest posted, and the answer to external events (2.51
adds ``volume-extended``, 2.76 ``power-update``, 2.82
``accelerator-request-bound``, 2.93 ``volume-reimaged``)."""

from nimbus.api.openstack.responses import types as t

S = "/servers/{server_id}"
_PROTOCOLS = ["vnc", "spice", "serial", "rdp"]
_TYPES = ["novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5"]


def _remote_console(minor):
    mks = minor >= 8
    return t.obj({"remote_console": t.obj({
        "protocol": {"enum": _PROTOCOLS + (["mks"] if mks else [])},
        "type": {"enum": _TYPES + (["webmks"] if mks else [])},
        "url": t.STRING}, required=("protocol", "type", "url"))},
        required=("remote_console",))


_EVENT_NAMES = ["network-changed", "network-vif-plugged",
                "network-vif-unplugged", "network-vif-deleted"]


def _events(minor):
    names = _EVENT_NAMES + (["volume-extended"] if minor >= 51 else []) + (
        ["power-update"] if minor >= 76 else []) + (
        ["accelerator-request-bound"] if minor >= 82 else []) + (
        ["volume-reimaged"] if minor >= 93 else [])
    return t.obj({"events": t.array(t.obj({
        "name": {"enum": names}, "server_uuid": t.STRING,
        "status": {"enum": ["failed", "completed", "in-progress"]},
        "code": {"enum": [200, 400, 404, 422]},
        "tag": {"type": "string", "maxLength": 255}},
        required=("name", "server_uuid", "status", "code")))},
        required=("events",))


SCHEMAS = {
    # 2.99 adds spice-direct
    ("POST", S + "/remote-consoles"): [(6, 7, _remote_console(6)),
                                       (8, 98, _remote_console(8))],
    # 2.99 adds tls_port
    ("GET", "/os-console-auth-tokens/{console_token}"): [(1, 98, t.obj(
        {"console": t.obj({"instance_uuid": t.STRING,
                           "host": t.NULLABLE_STRING, "port": t.INTEGER,
                           "internal_access_path": t.NULLABLE_STRING},
                          required=("instance_uuid", "host", "port",
                                    "internal_access_path"))},
        required=("console",)))],
    ("GET", S + "/os-server-password"): [(1, None, t.obj(
        {"password": t.STRING}, required=("password",)))],
    ("POST", "/os-server-external-events"): [(1, 50, _events(1)),
                                             (51, 75, _events(51)),
                                             (76, 81, _events(76)),
                                             (82, 92, _events(82)),
                                             (93, None, _events(93))],
}
