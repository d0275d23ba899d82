from tests.unit.scheduler import fakes


def test_limit_from_config(load_filter, conf):
    conf.set_override("max_instances_per_host", 2, "scheduler")
    flt = load_filter("num_instances")
    assert flt.host_passes(fakes.host(running_vms=1), fakes.spec())
    assert not flt.host_passes(fakes.host(running_vms=2), fakes.spec())


def test_aggregate_overrides_limit(load_filter, conf):
    conf.set_override("max_instances_per_host", 50, "scheduler")
    flt = load_filter("num_instances")
    host = fakes.host(running_vms=3,
                      aggregates=[{"max_instances_per_host": "3"}])
    assert not flt.host_passes(host, fakes.spec())
