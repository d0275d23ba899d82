"""Domain XML: kvm, qemu and xen for one flavor, checked against
libvirt's own RNG schema with virt-xml-validate."""

import subprocess
import xml.etree.ElementTree as ET

import pytest

from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import builder, config

UUID = "6f1d2c3e-0000-4000-8000-000000000102"
PORT = "0b7e44e4-5d2e-4b1c-9d0a-6c1f6f0f3a11"


def _spec():
    image = hv.ImageSpec(
        id="img", path="/images/disk.raw",
        properties={"os_command_line": "quiet"},
        kernel=hv.ImageSpec(id="k", path="/images/vmlinuz"),
        ramdisk=hv.ImageSpec(id="r", path="/images/initrd.img"))
    return hv.GuestSpec(
        uuid=UUID, name="web-1", vcpus=2, memory_mb=512, root_gb=1,
        image=image,
        vifs=[hv.VifSpec(id=PORT, mac="52:54:00:00:01:01",
                         bridge="br-int", vlan=100, kind="ovs", mtu=1450),
              hv.VifSpec(id="port-2", mac="52:54:00:00:01:02",
                         bridge="br0")])


def _render(conf, virt_type, tmp_path):
    conf.set_override("virt_type", virt_type, group="libvirt")
    paths = builder.InstancePaths(str(tmp_path), UUID)
    disks = [builder.local_disk(virt_type, 0, paths.disk, "qcow2",
                                builder.ROOT_SERIAL)]
    bus, prefix = config.disk_bus(virt_type)
    disks.append(config.DiskConfig(
        "network", config.device_name(prefix, 1), bus, serial="vol-1",
        source_protocol="iscsi", source_name="iqn.2010-10.org.x:v1/1",
        source_hosts=[("127.0.0.1", 3260)], auth_username="u",
        auth_secret_usage="nimbus-chap-x"))
    cfg = builder.guest_config(conf, _spec(), paths, disks,
                               "/base/kernel", "/base/initrd")
    return cfg.to_string()


def _validate(xml_text, tmp_path):
    path = tmp_path / "domain.xml"
    path.write_text(xml_text)
    # virt-xml-validate comes with libvirt-clients; a missing tool fails.
    result = subprocess.run(["virt-xml-validate", str(path), "domain"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("virt_type", ["kvm", "qemu", "xen"])
def test_domain_xml_validates(conf, tmp_path, virt_type):
    _validate(_render(conf, virt_type, tmp_path), tmp_path)


@pytest.mark.parametrize("virt_type", ["kvm", "qemu"])
def test_qemu_family_domain(conf, tmp_path, virt_type):
    dom = ET.fromstring(_render(conf, virt_type, tmp_path))
    assert dom.get("type") == virt_type
    assert dom.findtext("name") == f"nimbus-{UUID}"
    assert dom.findtext("uuid") == UUID
    assert dom.find("os/type").get("machine") == "pc"
    assert dom.findtext("os/kernel") == "/base/kernel"
    assert dom.findtext("os/initrd") == "/base/initrd"
    assert dom.findtext("os/cmdline") == \
        "console=ttyS0 root=/dev/vda quiet"
    assert dom.find("features/acpi") is not None
    assert dom.find("features/apic") is not None
    assert dom.find("devices/disk/target").attrib == {
        "dev": "vda", "bus": "virtio"}
    assert dom.find("devices/interface/model").get("type") == "virtio"
    assert dom.find("devices/memballoon") is not None
    cpu = dom.find("cpu")
    assert (cpu is not None) == (virt_type == "kvm")


def test_xen_domain(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "xen", tmp_path))
    assert dom.get("type") == "xen"
    assert dom.findtext("os/type") == "hvm"
    assert dom.find("os/type").get("machine") == "xenfv"
    assert dom.findtext("os/loader") == "/usr/lib/xen/boot/hvmloader"
    assert dom.find("features/pae") is not None
    assert [t.get("bus") for t in dom.findall("devices/disk/target")] == \
        ["xen", "xen"]
    assert dom.find("devices/disk/target").get("dev") == "xvda"
    assert dom.find("devices/interface/model") is None
    assert dom.find("devices/memballoon") is None
    assert "root=/dev/xvda" in dom.findtext("os/cmdline")


def test_metadata_carries_instance_uuid(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "qemu", tmp_path))
    ns = {"n": config.NIMBUS_NS}
    assert dom.find("metadata/n:instance/n:uuid", ns).text == UUID
    assert dom.find("metadata/n:instance/n:name", ns).text == "web-1"


def test_interfaces_bridge_and_ovs(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "qemu", tmp_path))
    ovs, br = dom.findall("devices/interface")
    assert ovs.get("type") == "bridge"
    assert ovs.find("source").get("bridge") == "br-int"
    assert ovs.find("virtualport").get("type") == "openvswitch"
    assert ovs.find("virtualport/parameters").get("interfaceid") == PORT
    assert ovs.find("vlan/tag").get("id") == "100"
    assert ovs.find("mtu").get("size") == "1450"
    assert br.find("virtualport") is None and br.find("vlan") is None
    assert br.find("mac").get("address") == "52:54:00:00:01:02"


def test_interfaces_name_their_tap_after_the_port(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "qemu", tmp_path))
    ovs, br = dom.findall("devices/interface")
    spec = _spec()
    for iface, vif in zip((ovs, br), spec.vifs, strict=True):
        assert iface.find("target").get("dev") == "tap" + vif.id[:11]
        assert iface.find("target").get("dev") == vif.device_name


def test_ovs_interfaces_offer_no_checksum_offload_by_default(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "qemu", tmp_path))
    ovs, br = dom.findall("devices/interface")
    assert ovs.find("driver/host").get("csum") == "off"
    assert br.find("driver") is None
    conf.set_override("ovs_checksum_offload", True, group="libvirt")
    ovs, _br = ET.fromstring(_render(conf, "qemu", tmp_path)).findall(
        "devices/interface")
    assert ovs.find("driver") is None


def test_serial_console_goes_to_a_file(conf, tmp_path):
    dom = ET.fromstring(_render(conf, "qemu", tmp_path))
    serial = dom.find("devices/serial")
    assert serial.get("type") == "file"
    assert serial.find("source").get("path") == \
        str(tmp_path / UUID / "console.log")
    assert serial.find("source").get("append") == "on"


def test_disk_boot_without_kernel(conf, tmp_path):
    conf.set_override("virt_type", "qemu", group="libvirt")
    spec = _spec()
    spec.image.kernel = spec.image.ramdisk = None
    paths = builder.InstancePaths(str(tmp_path), UUID)
    dom = builder.guest_config(conf, spec, paths, []).to_xml()
    assert dom.find("os/kernel") is None
    assert dom.find("os/cmdline") is None
    assert dom.find("os/boot").get("dev") == "hd"


def test_values_are_escaped(conf, tmp_path):
    conf.set_override("virt_type", "qemu", group="libvirt")
    spec = _spec()
    spec.name = "<evil> & 'quotes\""
    paths = builder.InstancePaths(str(tmp_path), UUID)
    text = builder.guest_config(conf, spec, paths, []).to_string()
    ns = {"n": config.NIMBUS_NS}
    assert ET.fromstring(text).find(
        "metadata/n:instance/n:name", ns).text == spec.name
    _validate(text, tmp_path)


def test_unknown_vif_kind_is_invalid(conf, tmp_path):
    spec = _spec()
    spec.vifs[0].kind = "macvtap"
    with pytest.raises(Exception, match="macvtap"):
        builder.guest_config(conf, spec,
                             builder.InstancePaths(str(tmp_path), UUID), [])


def test_device_names():
    assert [config.device_name("vd", i) for i in (0, 1, 25, 26, 27)] == \
        ["vda", "vdb", "vdz", "vdaa", "vdab"]


def test_next_device_name_and_find_disk():
    xml = ET.tostring(config.GuestConfig(
        "qemu", UUID, "n", 128, 1, disks=[
            config.DiskConfig("file", "vda", serial="a", source_path="/a"),
            config.DiskConfig("file", "vdc", serial="c", source_path="/c"),
        ]).to_xml(), encoding="unicode")
    assert config.next_device_name(xml, "vd") == "vdb"
    assert config.disk_serials(xml) == ["a", "c"]
    assert config.disk_sources(xml) == ["/a", "/c"]
    found = ET.fromstring(config.find_disk(xml, "c"))
    assert found.find("source").get("file") == "/c"
    assert config.find_disk(xml, "zzz") is None


def test_secret_xml():
    secret = ET.fromstring(config.secret_xml("iscsi", "nimbus-chap-x"))
    assert secret.get("private") == "yes"
    assert secret.find("usage").get("type") == "iscsi"
    assert secret.findtext("usage/target") == "nimbus-chap-x"


CAPS = """<capabilities><host><cpu><arch>x86_64</arch><model>EPYC</model>
<vendor>AMD</vendor><topology sockets='1' dies='1' cores='2' threads='1'/>
</cpu></host></capabilities>"""


def test_cpu_info_from_capabilities():
    assert builder.cpu_info(CAPS) == {
        "arch": "x86_64", "model": "EPYC", "vendor": "AMD",
        "topology": {"sockets": 1, "cores": 2, "threads": 1}}


def test_domain_types_from_capabilities():
    caps = """<capabilities><host/><guest><os_type>hvm</os_type>
    <arch name='x86_64'><domain type='qemu'/><domain type='kvm'/></arch>
    </guest></capabilities>"""
    assert builder.domain_types(caps) == {"qemu", "kvm"}
