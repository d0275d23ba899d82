from tests.unit.scheduler import fakes


def test_no_requirements_not_applied(load_filter):
    assert not load_filter("image_properties").applies(fakes.spec())


def test_architecture(load_filter):
    flt = load_filter("image_properties")
    host = fakes.host(cpu_info={"arch": "x86_64"})
    assert flt.host_passes(host, fakes.spec(
        image_properties={"hw_architecture": "x86_64"}))
    assert not flt.host_passes(host, fakes.spec(
        image_properties={"architecture": "aarch64"}))


def test_hypervisor_type(load_filter):
    flt = load_filter("image_properties")
    host = fakes.host(hypervisor_type="QEMU")
    assert flt.host_passes(host, fakes.spec(
        image_properties={"img_hv_type": "qemu"}))
    assert not flt.host_passes(host, fakes.spec(
        image_properties={"hypervisor_type": "xen"}))
