"""A server's volume attachments and network interfaces: list, show and
attach. 2.70 adds the device ``tag`` to both, 2.79 a volume's
``delete_on_termination``; 2.89 replaces ``id`` by ``attachment_id``
and ``bdm_uuid`` in list and show bodies (not the attach's, which 2.101
changes next). The virtual interfaces (a
nova-network proxy) show ``net_id`` from 2.12 and are gone at 2.44."""

from nimbus.api.openstack.responses import types as t

S = "/servers/{server_id}"
LAST = 69
#: Nova's ``parameter_types.tag``, or null (a device given no tag).
_TAG = {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 60,
                   "pattern": "^[^,/]*$"}, {"type": "null"}]}

_VOLUME = t.obj({"id": t.STRING, "serverId": t.STRING,
                 "volumeId": t.STRING, "device": t.NULLABLE_STRING},
                required=("id", "serverId", "volumeId"))
_VOLUME_70 = t.evolve(_VOLUME, add={"tag": _TAG}, require=["tag"])
_VOLUME_79 = t.evolve(_VOLUME_70, add={"delete_on_termination": t.BOOLEAN},
                      require=["delete_on_termination"])
_VOLUME_89 = t.evolve(_VOLUME_79, add={"attachment_id": t.STRING,
                                       "bdm_uuid": t.STRING},
                      require=["attachment_id", "bdm_uuid"], drop=["id"])


def _one_volume(volume):
    return t.obj({"volumeAttachment": volume},
                 required=("volumeAttachment",))


def _volumes(volume):
    return t.obj({"volumeAttachments": t.array(volume)},
                 required=("volumeAttachments",))


_ONE_VOLUME = _one_volume(_VOLUME)
_INTERFACE = t.obj({
    "port_id": t.STRING, "net_id": t.STRING, "mac_addr": t.STRING,
    "port_state": t.STRING,
    "fixed_ips": {"type": ["array", "null"], "items": t.obj(
        {"ip_address": t.STRING, "subnet_id": t.STRING},
        required=("ip_address", "subnet_id"))},
}, required=("port_id", "net_id", "mac_addr", "port_state", "fixed_ips"))
_INTERFACE_70 = t.evolve(_INTERFACE, add={"tag": _TAG}, require=["tag"])


def _one_interface(interface):
    return t.obj({"interfaceAttachment": interface},
                 required=("interfaceAttachment",))


def _interfaces(interface):
    return t.obj({"interfaceAttachments": t.array(interface)},
                 required=("interfaceAttachments",))


def _vifs(minor):
    vif = t.obj({"id": t.STRING, "mac_address": t.STRING},
                required=("id", "mac_address"))
    if minor >= 12:
        vif = t.evolve(vif, add={"net_id": t.STRING}, require=["net_id"])
    return t.obj({"virtual_interfaces": t.array(vif)},
                 required=("virtual_interfaces",))


SCHEMAS = {
    ("GET", S + "/os-volume_attachments"): [
        (1, LAST, _volumes(_VOLUME)), (70, 78, _volumes(_VOLUME_70)),
        (79, 88, _volumes(_VOLUME_79)), (89, None, _volumes(_VOLUME_89))],
    # The attach always shows ``device`` from 2.70 (null or not).
    ("POST", S + "/os-volume_attachments"): [
        (1, LAST, _ONE_VOLUME),
        (70, 78, _one_volume(t.evolve(_VOLUME_70, require=["device"]))),
        (79, 100, _one_volume(t.evolve(_VOLUME_79, require=["device"])))],
    ("GET", S + "/os-volume_attachments/{volume_id}"): [
        (1, LAST, _ONE_VOLUME), (70, 78, _one_volume(_VOLUME_70)),
        (79, 88, _one_volume(_VOLUME_79)),
        (89, None, _one_volume(_VOLUME_89))],
    ("GET", S + "/os-interface"): [
        (1, LAST, _interfaces(_INTERFACE)),
        (70, None, _interfaces(_INTERFACE_70))],
    ("POST", S + "/os-interface"): [
        (1, LAST, _one_interface(_INTERFACE)),
        (70, None, _one_interface(_INTERFACE_70))],
    ("GET", S + "/os-interface/{port_id}"): [
        (1, LAST, _one_interface(_INTERFACE)),
        (70, None, _one_interface(_INTERFACE_70))],
    ("GET", S + "/os-virtual-interfaces"): [(1, 11, _vifs(1)),
                                            (12, 43, _vifs(12))],
}
