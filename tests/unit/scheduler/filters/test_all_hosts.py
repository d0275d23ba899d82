from tests.unit.scheduler import fakes


def test_passes_every_host_whatever_the_request(load_filter):
    flt = load_filter("all_hosts")
    down = fakes.host("down", service_up=False, vcpus=0, memory_mb=0)
    for host in (fakes.host("h1"), down):
        for spec in (fakes.spec(), fakes.spec(vcpus=64, az="nowhere",
                                              hints={"same_host": ["x"]})):
            assert flt.applies(spec)
            assert flt.host_passes(host, spec)


def test_runs_once_per_request(load_filter):
    assert load_filter("all_hosts").run_filter_once_per_request
