from tests.unit.scheduler import fakes


def test_limit_from_config(load_filter, conf):
    conf.set_override("max_io_ops_per_host", 2, "scheduler")
    flt = load_filter("io_ops")
    assert flt.host_passes(fakes.host(io_ops=1), fakes.spec())
    assert not flt.host_passes(fakes.host(io_ops=2), fakes.spec())


def test_aggregate_overrides_limit(load_filter):
    flt = load_filter("io_ops")
    host = fakes.host(io_ops=5, aggregates=[{"max_io_ops_per_host": "20"}])
    assert flt.host_passes(host, fakes.spec())
