"""The libvirt plugin's server diagnostics: libvirt's counters mapped
into GuestDiagnostics and Nova's free-form keys (no libvirtd needed: a
stand-in domain answers libvirt-python's calls)."""

from unittest import mock

import libvirt
import pytest

from nimbus.core import exception
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import diagnostics
from nimbus.plugins.hypervisors.libvirt import guest as guest_mod

XML = """<domain type='kvm'><devices>
  <disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>
  <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
  <disk type='block' device='disk'><target dev='vdb' bus='virtio'/></disk>
  <interface type='bridge'><mac address='fa:16:3e:00:00:01'/>
    <target dev='tap0123456789a'/></interface>
  <interface type='bridge'><mac address='fa:16:3e:00:00:02'/></interface>
</devices></domain>"""


def _error(code=libvirt.VIR_ERR_OPERATION_INVALID):
    err = libvirt.libvirtError("unsupported")
    err.err = (code, 0, "unsupported", 2, "", "", "", 0, 0)
    return err


def _domain():
    dom = mock.Mock()
    dom.UUIDString.return_value = "6f1d3a52-0000-4000-8000-000000000002"
    dom.name.return_value = "nimbus-vm"
    dom.state.return_value = (libvirt.VIR_DOMAIN_RUNNING, 1)
    dom.info.return_value = (libvirt.VIR_DOMAIN_RUNNING, 524288, 262144,
                             2, 9000)
    dom.vcpus.return_value = ([(0, 1, 17300000000, 0),
                               (1, 1, 4200000000, 1)], [(True,), (True,)])
    dom.XMLDesc.return_value = XML
    dom.blockStats.side_effect = lambda dev: {
        "vda": (112, 262144, 488, 5778432, -1),
        "vdb": (1, 512, 2, 1024, 0)}[dev]
    dom.interfaceStats.return_value = (2070139, 26701, 0, 1, 140208,
                                       662, 2, 3)
    dom.memoryStats.return_value = {"actual": 262144, "rss": 100000}
    return dom


def test_counters_land_in_both_formats():
    dom = _domain()
    diags = diagnostics.of_guest(guest_mod.Guest(dom), "qemu")
    assert (diags.power_state, diags.driver, diags.hypervisor,
            diags.hypervisor_os) == (power_state.RUNNING, "libvirt",
                                     "qemu", "linux")
    assert (diags.memory_max_mb, diags.memory_used_mb) == (512, 256)
    assert [(c.id, c.time) for c in diags.cpus] == [
        (0, 17300000000), (1, 4200000000)]
    # Disks, not the CD-ROM, in the domain's order.
    assert [d.device for d in diags.disks] == ["vda", "vdb"]
    vda = diags.disks[0]
    assert (vda.read_requests, vda.read_bytes, vda.write_requests,
            vda.write_bytes, vda.errors_count) == (112, 262144, 488,
                                                   5778432, -1)
    tap, bare = diags.nics
    assert (tap.mac_address, tap.rx_octets, tap.rx_packets, tap.rx_drop,
            tap.tx_octets, tap.tx_packets, tap.tx_errors, tap.tx_drop) == \
        ("fa:16:3e:00:00:01", 2070139, 26701, 1, 140208, 662, 2, 3)
    # A NIC without a tap is listed with no counters.
    assert bare.mac_address == "fa:16:3e:00:00:02"
    assert bare.device is None and bare.rx_octets is None
    interface_devs = [c.args[0] for c in dom.interfaceStats.call_args_list]
    assert interface_devs == ["tap0123456789a"]
    free = diags.free_form
    assert free["cpu0_time"] == 17300000000 and free["memory"] == 524288
    assert (free["vda_read"], free["vda_read_req"], free["vda_errors"]) == \
        (262144, 112, -1)
    assert (free["tap0123456789a_rx"], free["tap0123456789a_tx_drop"]) == \
        (2070139, 3)
    assert free["memory-actual"] == 262144 and "hdc_read" not in free


def test_counters_libvirt_cannot_give_are_none():
    dom = _domain()
    dom.vcpus.side_effect = _error()
    dom.blockStats.side_effect = _error()
    dom.interfaceStats.side_effect = _error()
    dom.memoryStats.side_effect = _error()
    diags = diagnostics.of_guest(guest_mod.Guest(dom), "kvm")
    assert diags.cpus == []
    assert [d.device for d in diags.disks] == ["vda", "vdb"]
    assert all(d.read_bytes is None for d in diags.disks)
    assert all(n.rx_octets is None for n in diags.nics)
    assert diags.free_form == {"memory": 524288}


def test_a_guest_gone_midway_is_not_found():
    dom = _domain()
    dom.blockStats.side_effect = _error(libvirt.VIR_ERR_NO_DOMAIN)
    with pytest.raises(exception.HypervisorInstanceNotFound):
        diagnostics.of_guest(guest_mod.Guest(dom), "kvm")
