from tests.unit.scheduler import fakes


def test_unscoped_specs_ignored(load_filter):
    flt = load_filter("compute_capabilities")
    assert not flt.applies(fakes.spec(extra_specs={"ssd": "true"}))


def test_operators_and_nested_keys(load_filter):
    flt = load_filter("compute_capabilities")
    host = fakes.host(vcpus=16, cpu_info={"arch": "x86_64"})
    ok = fakes.spec(extra_specs={"capabilities:vcpus": ">= 8",
                                 "capabilities:cpu_info:arch": "x86_64"})
    assert flt.host_passes(host, ok)
    assert not flt.host_passes(host, fakes.spec(
        extra_specs={"capabilities:vcpus": ">= 32"}))
    assert not flt.host_passes(host, fakes.spec(
        extra_specs={"capabilities:cpu_info:arch": "s== aarch64"}))
    assert not flt.host_passes(host, fakes.spec(
        extra_specs={"capabilities:no_such": "1"}))
