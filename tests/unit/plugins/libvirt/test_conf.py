"""[libvirt] options."""

import pytest

from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf


@pytest.mark.parametrize("virt_type,uri", [
    ("kvm", "qemu:///system"), ("qemu", "qemu:///system"),
    ("xen", "xen:///system"), ("lxc", "lxc:///system")])
def test_uri_derived_from_virt_type(conf, virt_type, uri):
    conf.set_override("virt_type", virt_type, group="libvirt")
    assert libvirt_conf.connection_uri(conf) == uri


def test_explicit_uri_wins(conf):
    conf.set_override("connection_uri", "qemu:///session", group="libvirt")
    assert libvirt_conf.connection_uri(conf) == "qemu:///session"


def test_defaults(conf, tmp_path):
    assert conf.libvirt.virt_type == "kvm"
    assert conf.libvirt.images_type == "qcow2"
    assert conf.libvirt.instances_path == str(tmp_path / "instances")


def test_bad_virt_type_is_refused(conf):
    with pytest.raises(ValueError):
        conf.set_override("virt_type", "vmware", group="libvirt")


def test_list_opts_names_the_group():
    [(group, opts)] = libvirt_conf.list_opts()
    assert group.name == "libvirt"
    assert {"virt_type", "connection_uri", "instances_path", "images_type",
            "soft_reboot_timeout", "console_log_max_bytes"} <= \
        {o.name for o in opts}
