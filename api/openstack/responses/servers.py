"""Server bodies: create (202), list, detail, show and update.

A server body changes at 2.3 (more extended attributes, volumes with
``delete_on_termination``), 2.9 (``locked``), 2.16 (``host_status``,
policy-gated), 2.19 (``description``), 2.26 (``tags``), 2.47 (the
embedded flavor), 2.63 (``trusted_image_certificates``, null when the
server has none), 2.71 (``server_groups`` in show and update, not in the
detailed list) and 2.73 (``locked_reason``); from 2.75 update answers as
show does; 2.90 (``OS-EXT-SRV-ATTR:hostname`` for every caller); 2.96
(``pinned_availability_zone``, null when the server is not pinned), the
last change the history lists, so the last range ends at 2.96.
"""

from nimbus.api.openstack.responses import types as t

#: the microversions where a server body changes, up to the last one
#: these schemas know.
BREAKS = (1, 3, 9, 16, 19, 26, 47, 63, 71, 73, 75, 90, 96)
LAST = 96
#: 2.71: the server's group, if any (show and update, not lists).
_SERVER_GROUPS = t.array(t.STRING, maxItems=1)

_STATUS = {"type": "string", "enum": [
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING",
    "PASSWORD", "PAUSED", "REBOOT", "REBUILD", "RESCUE", "RESIZE",
    "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED", "SHUTOFF",
    "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE"]}
_ADDRESS = {"type": "object", "additionalProperties": False,
            "patternProperties": {"^.*$": t.array(t.obj(
                {"addr": t.STRING, "version": {"enum": [4, 6]},
                 "OS-EXT-IPS:type": {"enum": ["fixed", "floating"]},
                 "OS-EXT-IPS-MAC:mac_addr": t.STRING},
                required=("addr", "version", "OS-EXT-IPS:type",
                          "OS-EXT-IPS-MAC:mac_addr")))}}
_PLAIN_ADDRESS = {"type": "object", "additionalProperties": False,
                  "patternProperties": {"^.*$": t.array(t.obj(
                      {"addr": t.STRING, "version": {"enum": [4, 6]}},
                      required=("addr", "version")))}}
_FAULT = t.obj({"code": t.INTEGER, "created": t.DATE_TIME,
                "details": t.STRING, "message": t.STRING},
               required=("code", "created", "message"))
_FLAVOR_REF = t.obj({"id": t.STRING, "links": t.BOOKMARK_LINKS},
                    required=("id", "links"))
_FLAVOR_EMBEDDED = t.obj(
    {"disk": t.INTEGER, "ephemeral": t.INTEGER, "original_name": t.STRING,
     "ram": t.INTEGER, "swap": t.INTEGER, "vcpus": t.INTEGER,
     # only for callers the policy lets read a flavor's extra specs
     "extra_specs": t.STRING_MAP},
    required=("disk", "ephemeral", "original_name", "ram", "swap", "vcpus"))
_IMAGE = {"oneOf": [{"const": ""},
                    t.obj({"id": t.STRING, "links": t.BOOKMARK_LINKS},
                          required=("id", "links"))]}
_GROUPS = t.array(t.obj({"name": t.STRING}, required=("name",)))

#: what ``PUT /servers/{id}`` answers (below 2.75): the base server.
_BASE = t.obj({
    "id": t.STRING, "name": t.NULLABLE_STRING, "status": _STATUS,
    "tenant_id": t.STRING, "user_id": t.STRING,
    "metadata": t.STRING_MAP, "hostId": t.STRING, "image": _IMAGE,
    "flavor": _FLAVOR_REF, "created": t.DATE_TIME, "updated": t.DATE_TIME,
    "addresses": _PLAIN_ADDRESS, "accessIPv4": t.STRING,
    "accessIPv6": t.STRING, "links": t.LINKS,
    "OS-DCF:diskConfig": t.STRING,
    # by state: progress while it moves, fault when it failed
    "progress": {"type": ["number", "null"]}, "fault": _FAULT,
}, required=("id", "name", "status", "tenant_id", "user_id", "metadata",
             "hostId", "image", "flavor", "created", "updated", "addresses",
             "accessIPv4", "accessIPv6", "links", "OS-DCF:diskConfig"))

#: what show and the detailed list answer at 2.1.
_DETAIL = t.evolve(_BASE, add={
    "addresses": _ADDRESS,
    "key_name": t.NULLABLE_STRING,
    "config_drive": {"enum": ["", "True", "False", None]},
    "OS-EXT-AZ:availability_zone": t.STRING,
    "OS-EXT-STS:vm_state": t.NULLABLE_STRING,
    "OS-EXT-STS:task_state": t.NULLABLE_STRING,
    "OS-EXT-STS:power_state": {"enum": [0, 1, 3, 4, 6, 7, None]},
    "OS-SRV-USG:launched_at": t.NULLABLE_DATE_TIME,
    "OS-SRV-USG:terminated_at": t.NULLABLE_DATE_TIME,
    "os-extended-volumes:volumes_attached": t.array(
        t.obj({"id": t.STRING}, required=("id",))),
    # left out for a server in no group
    "security_groups": _GROUPS,
    # admins (policy)
    "OS-EXT-SRV-ATTR:host": t.NULLABLE_STRING,
    "OS-EXT-SRV-ATTR:hypervisor_hostname": t.NULLABLE_STRING,
    "OS-EXT-SRV-ATTR:instance_name": t.STRING,
}, require=("key_name", "config_drive", "OS-EXT-AZ:availability_zone",
            "OS-EXT-STS:vm_state", "OS-EXT-STS:task_state",
            "OS-EXT-STS:power_state", "OS-SRV-USG:launched_at",
            "OS-SRV-USG:terminated_at",
            "os-extended-volumes:volumes_attached"))


def server(minor, detailed=True):
    """The server body at 2.``minor``: ``detailed`` for show and the
    detailed list, else the base body ``PUT`` answers."""
    body = _DETAIL if detailed else _BASE
    if minor >= 3 and detailed:
        body = t.evolve(body, add={
            "OS-EXT-SRV-ATTR:reservation_id": t.NULLABLE_STRING,
            "OS-EXT-SRV-ATTR:launch_index": {"type": ["integer", "null"]},
            "OS-EXT-SRV-ATTR:hostname": t.STRING,
            "OS-EXT-SRV-ATTR:kernel_id": t.NULLABLE_STRING,
            "OS-EXT-SRV-ATTR:ramdisk_id": t.NULLABLE_STRING,
            "OS-EXT-SRV-ATTR:root_device_name": t.NULLABLE_STRING,
            "OS-EXT-SRV-ATTR:user_data": t.NULLABLE_STRING,
            "os-extended-volumes:volumes_attached": t.array(t.obj(
                {"id": t.STRING, "delete_on_termination": t.BOOLEAN},
                required=("id", "delete_on_termination")))})
    if minor >= 9:
        body = t.evolve(body, add={"locked": t.BOOLEAN}, require=["locked"])
    if minor >= 16 and detailed:
        body = t.evolve(body, add={"host_status": {
            "enum": ["UP", "DOWN", "MAINTENANCE", "UNKNOWN", ""]}})
    if minor >= 19:
        body = t.evolve(body, add={"description": t.NULLABLE_STRING},
                        require=["description"])
    if minor >= 26:
        body = t.evolve(body, add={"tags": t.array(t.STRING, maxItems=50)},
                        require=["tags"])
    if minor >= 47:
        body = t.evolve(body, add={"flavor": _FLAVOR_EMBEDDED})
    if minor >= 63:
        body = t.evolve(body, add={"trusted_image_certificates": {
            "type": ["array", "null"], "items": t.STRING}},
            require=["trusted_image_certificates"])
    if minor >= 73:
        body = t.evolve(body, add={"locked_reason": t.NULLABLE_STRING},
                        require=["locked_reason"])
    if minor >= 90:
        # 2.90: the hostname for every caller, not only by policy.
        body = t.evolve(body, add={"OS-EXT-SRV-ATTR:hostname": t.STRING},
                        require=["OS-EXT-SRV-ATTR:hostname"])
    if minor >= 96:
        body = t.evolve(body,
                        add={"pinned_availability_zone": t.NULLABLE_STRING},
                        require=["pinned_availability_zone"])
    return body


def _with_groups(body, minor):
    if minor < 71:
        return body
    return t.evolve(body, add={"server_groups": _SERVER_GROUPS},
                    require=["server_groups"])


def _ranges(build):
    ends = [b - 1 for b in BREAKS[1:]] + [LAST]
    return [(first, last, build(first))
            for first, last in zip(BREAKS, ends, strict=True)]


INDEX = t.obj({"servers": t.array(t.obj(
    {"id": t.STRING, "name": t.NULLABLE_STRING, "links": t.LINKS},
    required=("id", "name", "links"))),
    "servers_links": t.COLLECTION_LINKS}, required=("servers",))

CREATE = {"oneOf": [
    t.obj({"reservation_id": t.STRING}, required=("reservation_id",)),
    t.obj({"server": t.obj(
        {"id": t.STRING, "links": t.LINKS, "adminPass": t.STRING,
         "security_groups": _GROUPS,
         "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]}},
        # adminPass only when the deployment hands out passwords
        required=("id", "links", "security_groups", "OS-DCF:diskConfig"))},
        required=("server",))]}


def _show(minor):
    return t.obj({"server": _with_groups(server(minor), minor)},
                 required=("server",))


def _detail(minor):
    return t.obj({"servers": t.array(server(minor)),
                  "servers_links": t.COLLECTION_LINKS},
                 required=("servers",))


def _update(minor):
    if minor >= 75:
        return _show(minor)             # the same body as a show
    return t.obj({"server": _with_groups(server(minor, detailed=False),
                                         minor)},
                 required=("server",))


SCHEMAS = {
    ("POST", "/servers"): [(1, None, CREATE)],
    # Nova's 2.69 lets a server of a down cell be only id, status
    # UNKNOWN and links; nimbus has one cell, whose servers it lists or
    # fails to list whole, so from 2.69 its entries are still these.
    ("GET", "/servers"): [(1, 68, INDEX), (69, None, INDEX)],
    ("GET", "/servers/detail"): _ranges(_detail),
    ("GET", "/servers/{server_id}"): _ranges(_show),
    ("PUT", "/servers/{server_id}"): _ranges(_update),
}
