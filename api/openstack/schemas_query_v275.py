"""The query strings Nova's 2.75 makes strict: from 2.75 a parameter a
route does not name is a 400 (``additionalProperties: false``), where
below it was ignored. Each parameter is a list of its values, as Nova
reads a query (:func:`nimbus.api.http.query`).

Routes nimbus serves that 2.75 changed: ``GET /servers`` and
``/servers/detail``, ``/flavors`` and ``/flavors/detail``, the key pair
list, show and delete, ``/limits``, the quota set show, detail, update
and delete, ``/os-server-groups``, ``/os-services``,
``/os-simple-tenant-usage`` (list and show) and
``/servers/{id}/os-volume_attachments``.
"""

from nimbus.api.openstack import schemas_admin

_MANY = {"type": "array", "items": {"type": "string"}}
_REGEX = {"type": "array", "items": {"type": "string", "format": "regex"}}
_COUNT = {"type": "array", "items": schemas_admin.NON_NEGATIVE}
_PAGING = {"limit": _COUNT, "marker": _MANY}

#: the sort keys Nova takes from 2.75 (the ones it used to ignore are
#: refused; ``locked`` is one since 2.73).
SERVER_SORT_KEYS = (
    "access_ip_v4", "access_ip_v6", "auto_disk_config",
    "availability_zone", "config_drive", "created_at",
    "display_description", "display_name", "host", "hostname",
    "image_ref", "instance_type_id", "kernel_id", "key_name",
    "launch_index", "launched_at", "locked", "locked_by", "node",
    "power_state", "progress", "project_id", "ramdisk_id",
    "root_device_name", "task_state", "terminated_at", "updated_at",
    "user_id", "uuid", "vm_state")

_SERVER_PLAIN = (
    "user_id", "project_id", "tenant_id", "launch_index", "image_ref",
    "image", "vm_state", "task_state", "host", "uuid", "sort_dir",
    "all_tenants", "soft_deleted", "deleted", "status",
    # joined tables Nova names (and then refuses as filters)
    "block_device_mapping", "services", "metadata", "system_metadata",
    "info_cache", "security_groups", "pci_devices",
    # 2.73
    "locked")
_SERVER_REGEX = (
    "kernel_id", "ramdisk_id", "hostname", "key_name", "power_state",
    "node", "flavor", "reservation_id", "launched_at", "terminated_at",
    "availability_zone", "name", "display_name", "description",
    "display_description", "locked_by", "root_device_name",
    "config_drive", "access_ip_v4", "access_ip_v6", "auto_disk_config",
    "progress", "ip", "ip6", "created_at",
    # 2.26
    "tags", "tags-any", "not-tags", "not-tags-any")
_TIME = {"type": "array", "items": {"type": "string",
                                    "format": "date-time"}}


def _strict(properties, **extra):
    return dict({"type": "object", "properties": properties,
                 "additionalProperties": False}, **extra)


#: GET /servers and /servers/detail.
SERVERS = _strict(
    dict({name: _MANY for name in _SERVER_PLAIN},
         **{name: _REGEX for name in _SERVER_REGEX},
         **_PAGING,
         **{"changes-since": _TIME, "changes-before": _TIME,
            "sort_key": {"type": "array", "items": {
                "enum": list(SERVER_SORT_KEYS)}}}),
    # Nova lets internal names (a leading "_") through its schema to
    # refuse them itself.
    patternProperties={"^_": _MANY})

_FLAVOR_SORT_KEYS = (
    "created_at", "description", "disabled", "ephemeral_gb", "flavorid",
    "id", "is_public", "memory_mb", "name", "root_gb", "rxtx_factor",
    "swap", "updated_at", "vcpu_weight", "vcpus")

#: GET /flavors and /flavors/detail.
FLAVORS = _strict(dict(
    _PAGING, is_public=_MANY, minRam=_MANY, minDisk=_MANY,
    sort_key={"type": "array", "items": {"enum": list(_FLAVOR_SORT_KEYS)}},
    sort_dir={"type": "array", "items": {"enum": ["asc", "desc"]}}))

#: GET /os-keypairs (2.35 paging), GET and DELETE /os-keypairs/{name}.
KEYPAIRS = _strict(dict(_PAGING, user_id=_MANY))
KEYPAIR = _strict({"user_id": _MANY})

#: GET /limits.
LIMITS = _strict({"tenant_id": _MANY})

#: GET, PUT, DELETE /os-quota-sets/{project_id} and its /detail.
QUOTA_SET = _strict({"user_id": _MANY})

#: GET /os-server-groups.
SERVER_GROUPS = _strict({"all_projects": _MANY, "limit": _COUNT,
                         "offset": _COUNT})

#: GET /os-services.
SERVICES = _strict({"host": _MANY, "binary": _MANY})

#: GET /os-simple-tenant-usage and /os-simple-tenant-usage/{project_id}.
USAGE = _strict(dict(_PAGING, start=_MANY, end=_MANY, detailed=_MANY))
USAGE_SHOW = _strict(dict(_PAGING, start=_MANY, end=_MANY))

#: GET /servers/{server_id}/os-volume_attachments.
VOLUME_ATTACHMENTS = _strict({"limit": _COUNT, "offset": _COUNT})
