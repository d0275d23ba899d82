"""``POST /servers/{server_id}/action``: one schema list per action,
keyed ``("POST", route, action)`` (the request body's one key names it).

Most actions answer 202 with no body. ``rebuild`` answers the server as
``PUT /servers/{id}`` does (the same schema objects, so the server
body's changes carry over) plus ``adminPass`` (when the deployment hands
out passwords), ``key_name`` (2.54) and ``user_data`` (2.57); from 2.75
that is a show's body. ``createImage`` sends a ``Location`` header and
no body below 2.45, ``{"image_id"}`` from it; ``evacuate`` the new
password below 2.14, nothing from it.
"""

from nimbus.api.openstack.responses import servers
from nimbus.api.openstack.responses import types as t

ROUTE = "/servers/{server_id}/action"

#: action -> its success status where Nova's is not 202.
STATUS = {"rescue": 200, "evacuate": 200, "os-getConsoleOutput": 200,
          "os-getVNCConsole": 200, "confirmResize": 204}

#: 202 and no body at every microversion that has the action.
_EMPTY = ("os-start", "os-stop", "pause", "unpause", "suspend", "resume",
          "reboot", "lock", "unlock", "os-resetState", "addSecurityGroup",
          "removeSecurityGroup", "resize", "confirmResize", "revertResize",
          "migrate", "os-migrateLive", "shelve", "shelveOffload",
          "unshelve", "unrescue", "changePassword")
#: where the rebuilt server gains a key the update's body lacks.
_REBUILD_KEYS = {54: {"key_name": t.NULLABLE_STRING},
                 57: {"user_data": t.NULLABLE_STRING}}


def _rebuilt(first, last, update):
    server = update["properties"]["server"]
    adds = {"adminPass": t.STRING}
    for minor, keys in sorted(_REBUILD_KEYS.items()):
        if minor <= first:
            adds.update(keys)
    return (first, last, t.obj({"server": t.evolve(
        server, add=adds, require=[k for k in adds if k != "adminPass"])},
        required=("server",)))


def _rebuild():
    """The update's ranges, split where the rebuild body changes."""
    ranges = []
    for first, last, update in servers.SCHEMAS[("PUT",
                                                 "/servers/{server_id}")]:
        cuts = [m for m in _REBUILD_KEYS
                if first < m and (last is None or m <= last)]
        starts = [first, *sorted(cuts)]
        ends = [m - 1 for m in sorted(cuts)] + [last]
        ranges += [_rebuilt(s, e, update)
                   for s, e in zip(starts, ends, strict=True)]
    return ranges


_OUTPUT = t.obj({"output": t.STRING}, required=("output",))
_VNC = t.obj({"console": t.obj({"type": {"enum": ["novnc", "xvpvnc"]},
                                "url": t.STRING}, required=("type", "url"))},
             required=("console",))
_PASSWORD = t.obj({"adminPass": t.STRING}, required=("adminPass",))

ACTIONS = {
    **{name: [(1, None, t.NO_BODY)] for name in _EMPTY},
    "trigger_crash_dump": [(17, None, t.NO_BODY)],
    "rebuild": _rebuild(),
    "createImage": [(1, 44, t.NO_BODY),
                    (45, None, t.obj({"image_id": t.STRING},
                                     required=("image_id",)))],
    # Nova's is {} when passwords are off; nimbus always makes one
    "rescue": [(1, None, t.obj({"adminPass": t.STRING}))],
    "evacuate": [(1, 13, _PASSWORD), (14, None, t.NO_BODY)],
    "os-getConsoleOutput": [(1, None, _OUTPUT)],
    # 2.6 replaced it with POST /servers/{id}/remote-consoles
    "os-getVNCConsole": [(1, 5, _VNC)],
}

SCHEMAS = {("POST", ROUTE, name): ranges
           for name, ranges in ACTIONS.items()}
