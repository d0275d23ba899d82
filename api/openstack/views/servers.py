"""Server bodies in Nova's v2.1 shapes."""

import functools
import hashlib

from nimbus.api.openstack import common
from nimbus.api.openstack.views import servers_extra
from nimbus.core.compute import task_states, vm_states

# (vm_state, task_state) -> status; task_state None row is the default.
_STATUS = {
    vm_states.ACTIVE: {
        None: "ACTIVE", task_states.REBOOTING: "REBOOT",
        task_states.REBOOT_PENDING: "REBOOT",
        task_states.REBOOT_STARTED: "REBOOT",
        task_states.REBOOTING_HARD: "HARD_REBOOT",
        task_states.REBOOT_PENDING_HARD: "HARD_REBOOT",
        task_states.REBOOT_STARTED_HARD: "HARD_REBOOT",
        task_states.MIGRATING: "MIGRATING",
        task_states.REBUILDING: "REBUILD",
        task_states.REBUILD_SPAWNING: "REBUILD",
    },
    vm_states.BUILDING: {None: "BUILD"},
    vm_states.STOPPED: {None: "SHUTOFF",
                        task_states.REBOOTING_HARD: "HARD_REBOOT",
                        task_states.REBUILDING: "REBUILD",
                        task_states.REBUILD_SPAWNING: "REBUILD"},
    vm_states.PAUSED: {None: "PAUSED",
                       task_states.REBOOTING_HARD: "HARD_REBOOT",
                       task_states.MIGRATING: "MIGRATING"},
    vm_states.SUSPENDED: {None: "SUSPENDED",
                          task_states.REBOOTING_HARD: "HARD_REBOOT"},
    vm_states.RESCUED: {None: "RESCUE"},
    vm_states.RESIZED: {None: "VERIFY_RESIZE",
                        task_states.RESIZE_REVERTING: "REVERT_RESIZE"},
    vm_states.SOFT_DELETED: {None: "SOFT_DELETED"},
    vm_states.DELETED: {None: "DELETED"},
    vm_states.ERROR: {None: "ERROR", task_states.REBUILDING: "REBUILD",
                      task_states.REBUILD_SPAWNING: "REBUILD"},
    vm_states.SHELVED: {None: "SHELVED"},
    vm_states.SHELVED_OFFLOADED: {None: "SHELVED_OFFLOADED"},
}

# A resize or cold migration in progress shows as RESIZE (Nova's).
for _vm in (vm_states.ACTIVE, vm_states.STOPPED):
    _STATUS[_vm].update(dict.fromkeys(task_states.RESIZE_STATES, "RESIZE"))


#: Nova shows ``progress`` and ``fault`` only in these statuses.
_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE",
                      "VERIFY_RESIZE", "MIGRATING")
_FAULT_STATUSES = ("ERROR", "DELETED")
#: what the detailed body adds to the base one (Nova's ``show`` with
#: every ``show_*`` off): the answer of ``PUT /servers/{id}`` below 2.75.
_EXTENDED_PREFIXES = ("OS-EXT-", "OS-SRV-USG:", "os-extended-volumes:")
_EXTENDED_KEYS = ("key_name", "config_drive", "security_groups",
                  "host_status", "server_groups")


def status(instance):
    by_task = _STATUS.get(instance.vm_state, {None: "UNKNOWN"})
    if instance.task_state == task_states.DELETING:
        return by_task.get(None, "UNKNOWN")
    return by_task.get(instance.task_state, by_task.get(None, "UNKNOWN"))


def _time(value):
    """``%Y-%m-%dT%H:%M:%SZ`` (``isoformat`` costs a fifth of
    ``strftime``, and a page of servers formats thousands)."""
    return _naive(value).isoformat(timespec="seconds") + "Z" \
        if value else None


def _usage_time(value):
    """``%Y-%m-%dT%H:%M:%S.%f``."""
    return _naive(value).isoformat(timespec="microseconds") \
        if value else None


def _naive(value):
    """``value`` without its zone (UTC: an object's carries one, a
    row's is naive)."""
    return value.replace(tzinfo=None) if value.tzinfo is not None \
        else value


def hashed_host(project_id, host):
    """Nova's ``hostId``: the host hashed with the project, so a project
    sees which of its servers share a host without learning its name."""
    if not host:
        return ""
    return _hashed(project_id, host)


@functools.lru_cache(maxsize=65536)
def _hashed(project_id, host):
    # a page of servers hashes the same few (project, host) pairs
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def host_id(instance):
    return hashed_host(instance.project_id, instance.host)


def basic(instance):
    return {"id": instance.uuid, "name": instance.display_name,
            "links": common.link("servers", instance.uuid)}


def flavor(instance, extra_specs=False, version=None, base=None):
    """The ``flavor`` of a server body: below 2.47 a reference (id and
    bookmark link), from 2.47 the values the server was given (Nova's
    embedded flavor; ``extra_specs`` only for callers the policy lets
    read them).

    :param version: the request's microversion, and ``base`` its base
        URL, when the caller has them at hand (a page of servers reads
        them once, not once per server).
    """
    if (version or common.version()) < (2, 47):
        return {"id": instance.flavor_id,
                "links": common.link("flavors", instance.flavor_id,
                                     base=base)[1:]}
    embedded = {"vcpus": instance.vcpus, "ram": instance.memory_mb,
                "disk": instance.root_gb,
                "ephemeral": instance.ephemeral_gb,
                "swap": instance.swap,
                "original_name": instance.flavor_name}
    if extra_specs:
        embedded["extra_specs"] = dict(instance.extra_specs)
    return embedded


def detail(instance, is_admin, fault=None, addresses=None,
           security_groups=None, volumes=(), flavor_extra_specs=False):
    """The detailed server body.

    :param addresses: the ``addresses`` dict (see
        :func:`nimbus.api.openstack.views.addresses.addresses`).
    :param security_groups: names of the server's security groups.
    :param volumes: the attached volumes, ``{"id",
        "delete_on_termination"}`` each.
    :param flavor_extra_specs: show the flavor's extra specs (2.47).
    """
    # Read once per server, not once per field: a page formats 1000.
    version, base, uuid = common.version(), common.base_url(), instance.uuid
    server = {
        "id": uuid, "name": instance.display_name,
        "status": status(instance),
        "tenant_id": instance.project_id, "user_id": instance.user_id,
        "metadata": dict(instance.metadata), "hostId": host_id(instance),
        "image": {"id": instance.image_ref,
                  "links": common.link("images", instance.image_ref,
                                       base=base)[1:]}
        if instance.image_ref else "",
        "flavor": flavor(instance, flavor_extra_specs, version, base),
        "created": _time(instance.created_at),
        "updated": _time(instance.updated_at or instance.created_at),
        "addresses": addresses or {},
        "accessIPv4": instance.access_ip_v4 or "",
        "accessIPv6": instance.access_ip_v6 or "",
        "links": common.link("servers", uuid, base=base),
        "key_name": instance.key_name,
        "config_drive": "",
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": instance.availability_zone or "nova",
        "OS-EXT-STS:vm_state": instance.vm_state,
        "OS-EXT-STS:task_state": instance.task_state,
        "OS-EXT-STS:power_state": instance.power_state,
        "OS-SRV-USG:launched_at": _usage_time(instance.launched_at),
        "OS-SRV-USG:terminated_at": _usage_time(instance.terminated_at),
        "os-extended-volumes:volumes_attached": [
            v if version >= (2, 3) else {"id": v["id"]} for v in volumes],
    }
    if security_groups:
        # Nova leaves the key out for a server without groups.
        server["security_groups"] = [{"name": n} for n in security_groups]
    if is_admin:
        server["OS-EXT-SRV-ATTR:host"] = instance.host
        server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.node
        server["OS-EXT-SRV-ATTR:instance_name"] = \
            f"instance-{instance.uuid[:8]}"
    if server["status"] in _PROGRESS_STATUSES:
        server["progress"] = 100 if instance.vm_state == vm_states.ACTIVE \
            else 0
    if fault is not None and server["status"] in _FAULT_STATUSES:
        server["fault"] = {
            "code": fault["code"], "message": fault["message"],
            "created": _time(fault["created_at"]),
        }
        if is_admin and fault.get("details"):
            server["fault"]["details"] = fault["details"]
    return servers_extra.extend(server, instance, is_admin, version)


def updated(instance, fault=None, addresses=None, flavor_extra_specs=False):
    """The body of ``PUT /servers/{id}``: below 2.75 Nova's base server
    (no extended attributes, addresses without ``OS-EXT-IPS*``), from
    2.75 the same as a show (the caller passes the show's body then)."""
    server = detail(instance, False, fault, addresses,
                    flavor_extra_specs=flavor_extra_specs)
    for key in list(server):
        if key.startswith(_EXTENDED_PREFIXES) or key in _EXTENDED_KEYS:
            del server[key]
    return server
