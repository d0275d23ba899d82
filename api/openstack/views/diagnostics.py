"""Server diagnostics bodies: the hypervisor's free-form values below
2.48, Nova's standard format from 2.48."""

from nimbus.core.interfaces import power_state

_CPU = ("id", "time", "utilisation")
_NIC = ("mac_address", "rx_octets", "rx_errors", "rx_drop", "rx_packets",
        "rx_rate", "tx_octets", "tx_errors", "tx_drop", "tx_packets",
        "tx_rate")
_DISK = ("read_bytes", "read_requests", "write_bytes", "write_requests",
         "errors_count")


def free_form(diags):
    """The body below 2.48: the plugin's own keys and values."""
    return dict(diags.free_form)


def standard(diags, uptime):
    """The 2.48 body (nimbus makes no config drives)."""
    return {
        "state": power_state.NAMES.get(diags.power_state, "pending"),
        "driver": diags.driver,
        "hypervisor": diags.hypervisor,
        "hypervisor_os": diags.hypervisor_os,
        "uptime": uptime,
        "config_drive": False,
        "num_cpus": len(diags.cpus),
        "num_nics": len(diags.nics),
        "num_disks": len(diags.disks),
        "memory_details": {"maximum": diags.memory_max_mb,
                           "used": diags.memory_used_mb},
        "cpu_details": [_pick(cpu, _CPU) for cpu in diags.cpus],
        "nic_details": [_pick(nic, _NIC) for nic in diags.nics],
        "disk_details": [_pick(disk, _DISK) for disk in diags.disks],
    }


def _pick(part, fields):
    return {name: getattr(part, name) for name in fields}
