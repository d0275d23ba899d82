"""``GET /servers/{server_id}/diagnostics``: below 2.48 the hypervisor's
own keys (Nova's reference documents none, so only the shape is
checked: one level of scalars); from 2.48 Nova's standard format."""

from nimbus.api.openstack.responses import types as t

_COUNT = {"type": ["integer", "null"]}
_FREE_FORM = {"type": "object", "additionalProperties": {
    "type": ["string", "number", "boolean", "null"]}}


def _all(names, **others):
    return t.obj(dict(dict.fromkeys(names, _COUNT), **others),
                 required=tuple(names) + tuple(others))


_STANDARD = _all(
    ("uptime",), num_cpus=t.INTEGER, num_nics=t.INTEGER,
    num_disks=t.INTEGER,
    state={"enum": ["pending", "running", "paused", "shutdown", "crashed",
                    "suspended"]},
    driver=t.STRING, hypervisor=t.NULLABLE_STRING,
    hypervisor_os=t.NULLABLE_STRING, config_drive=t.BOOLEAN,
    memory_details=_all(("maximum", "used")),
    cpu_details=t.array(_all(("id", "time", "utilisation"))),
    nic_details=t.array(_all(
        ("rx_octets", "rx_errors", "rx_drop", "rx_packets", "rx_rate",
         "tx_octets", "tx_errors", "tx_drop", "tx_packets", "tx_rate"),
        mac_address=t.NULLABLE_STRING)),
    disk_details=t.array(_all(("read_bytes", "read_requests",
                               "write_bytes", "write_requests",
                               "errors_count"))))

SCHEMAS = {("GET", "/servers/{server_id}/diagnostics"): [
    (1, 47, _FREE_FORM), (48, None, _STANDARD)]}
