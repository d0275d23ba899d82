from tests.unit.scheduler import fakes


def test_fits_exactly(load_filter):
    flt = load_filter("resources")
    host = fakes.host(vcpus=4, memory_mb=4096, local_gb=10,
                      vcpus_used=2, memory_mb_used=2048, local_gb_used=5)
    assert flt.host_passes(host, fakes.spec(vcpus=2, memory_mb=2048,
                                            root_gb=5))
    assert not flt.host_passes(host, fakes.spec(vcpus=3, memory_mb=2048,
                                                root_gb=5))
    assert not flt.host_passes(host, fakes.spec(vcpus=2, memory_mb=2049,
                                                root_gb=5))
    assert not flt.host_passes(host, fakes.spec(vcpus=2, memory_mb=2048,
                                                root_gb=6))


def test_allocation_ratio_and_reserved(load_filter):
    flt = load_filter("resources")
    host = fakes.host(vcpus=4, cpu_allocation_ratio=4.0, memory_mb=4096,
                      reserved_host_memory_mb=1024)
    assert flt.host_passes(host, fakes.spec(vcpus=16, memory_mb=3072))
    assert not flt.host_passes(host, fakes.spec(vcpus=17, memory_mb=512))
    assert not flt.host_passes(host, fakes.spec(vcpus=1, memory_mb=3073))
