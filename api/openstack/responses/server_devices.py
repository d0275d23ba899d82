"""A server's volume attachments and network interfaces: list, show and
attach. Their bodies do not change up to 2.69 (2.70 adds the device
``tag``), so the ranges end there. The virtual interfaces (a
nova-network proxy) show ``net_id`` from 2.12 and are gone at 2.44."""

from nimbus.api.openstack.responses import types as t

S = "/servers/{server_id}"
LAST = 69

_VOLUME = t.obj({"id": t.STRING, "serverId": t.STRING,
                 "volumeId": t.STRING, "device": t.NULLABLE_STRING},
                required=("id", "serverId", "volumeId"))
_ONE_VOLUME = t.obj({"volumeAttachment": _VOLUME},
                    required=("volumeAttachment",))
_INTERFACE = t.obj({
    "port_id": t.STRING, "net_id": t.STRING, "mac_addr": t.STRING,
    "port_state": t.STRING,
    "fixed_ips": {"type": ["array", "null"], "items": t.obj(
        {"ip_address": t.STRING, "subnet_id": t.STRING},
        required=("ip_address", "subnet_id"))},
}, required=("port_id", "net_id", "mac_addr", "port_state", "fixed_ips"))
_ONE_INTERFACE = t.obj({"interfaceAttachment": _INTERFACE},
                       required=("interfaceAttachment",))



def _vifs(minor):
    vif = t.obj({"id": t.STRING, "mac_address": t.STRING},
                required=("id", "mac_address"))
    if minor >= 12:
        vif = t.evolve(vif, add={"net_id": t.STRING}, require=["net_id"])
    return t.obj({"virtual_interfaces": t.array(vif)},
                 required=("virtual_interfaces",))


SCHEMAS = {
    ("GET", S + "/os-volume_attachments"): [(1, LAST, t.obj(
        {"volumeAttachments": t.array(_VOLUME)},
        required=("volumeAttachments",)))],
    ("POST", S + "/os-volume_attachments"): [(1, LAST, _ONE_VOLUME)],
    ("GET", S + "/os-volume_attachments/{volume_id}"): [
        (1, LAST, _ONE_VOLUME)],
    ("GET", S + "/os-interface"): [(1, LAST, t.obj(
        {"interfaceAttachments": t.array(_INTERFACE)},
        required=("interfaceAttachments",)))],
    ("POST", S + "/os-interface"): [(1, LAST, _ONE_INTERFACE)],
    ("GET", S + "/os-interface/{port_id}"): [(1, LAST, _ONE_INTERFACE)],
    ("GET", S + "/os-virtual-interfaces"): [(1, 11, _vifs(1)),
                                            (12, 43, _vifs(12))],
}
