"""Server bodies in Nova's v2.1 shapes."""

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
    },
    vm_states.BUILDING: {None: "BUILD"},
    vm_states.STOPPED: {None: "SHUTOFF",
                        task_states.REBOOTING_HARD: "HARD_REBOOT"},
    vm_states.PAUSED: {None: "PAUSED",
                       task_states.REBOOTING_HARD: "HARD_REBOOT"},
    vm_states.SUSPENDED: {None: "SUSPENDED",
                          task_states.REBOOTING_HARD: "HARD_REBOOT"},
    vm_states.RESCUED: {None: "RESCUE"},
    vm_states.RESIZED: {None: "VERIFY_RESIZE"},
    vm_states.SOFT_DELETED: {None: "SOFT_DELETED"},
    vm_states.DELETED: {None: "DELETED"},
    vm_states.ERROR: {None: "ERROR"},
    vm_states.SHELVED: {None: "SHELVED"},
    vm_states.SHELVED_OFFLOADED: {None: "SHELVED_OFFLOADED"},
}


def status(instance):
    by_task = _STATUS.get(instance.vm_state, {None: "UNKNOWN"})
    if instance.task_state == task_states.DELETING:
        return by_task.get(None, "UNKNOWN")
    return by_task.get(instance.task_state, by_task.get(None, "UNKNOWN"))


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _usage_time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def host_id(instance):
    if not instance.host:
        return ""
    return hashlib.sha224(
        (instance.project_id + instance.host).encode()).hexdigest()


def basic(instance):
    return {"id": instance.uuid, "name": instance.display_name,
            "links": common.link("servers", instance.uuid)}


def detail(instance, is_admin, fault=None):
    server = {
        "id": instance.uuid, "name": instance.display_name,
        "status": status(instance),
        "tenant_id": instance.project_id, "user_id": instance.user_id,
        "metadata": dict(instance.metadata), "hostId": host_id(instance),
        "image": {"id": instance.image_ref,
                  "links": common.link("images", instance.image_ref)[1:]}
        if instance.image_ref else "",
        "flavor": {"id": instance.flavor_id,
                   "links": common.link("flavors", instance.flavor_id)[1:]},
        "created": _time(instance.created_at),
        "updated": _time(instance.updated_at or instance.created_at),
        "addresses": {},
        "accessIPv4": instance.access_ip_v4 or "",
        "accessIPv6": instance.access_ip_v6 or "",
        "links": common.link("servers", instance.uuid),
        "progress": 100 if instance.vm_state == vm_states.ACTIVE else 0,
        "key_name": instance.key_name,
        "config_drive": "",
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": instance.availability_zone or "nova",
        "OS-EXT-STS:vm_state": instance.vm_state,
        "OS-EXT-STS:task_state": instance.task_state,
        "OS-EXT-STS:power_state": instance.power_state,
        "OS-SRV-USG:launched_at": _usage_time(instance.launched_at),
        "OS-SRV-USG:terminated_at": _usage_time(instance.terminated_at),
        "os-extended-volumes:volumes_attached": [],
        "security_groups": [{"name": "default"}],
    }
    if is_admin:
        server["OS-EXT-SRV-ATTR:host"] = instance.host
        server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.node
        server["OS-EXT-SRV-ATTR:instance_name"] = \
            f"instance-{instance.uuid[:8]}"
    if fault is not None:
        server["fault"] = {
            "code": fault["code"], "message": fault["message"],
            "created": _time(fault["created_at"]),
        }
        if is_admin and fault.get("details"):
            server["fault"]["details"] = fault["details"]
    return servers_extra.extend(server, instance, is_admin)
