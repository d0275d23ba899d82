from tests.unit.scheduler import fakes


def test_not_applied_without_zone(load_filter):
    assert not load_filter("availability_zone").applies(fakes.spec())


def test_zone_from_aggregate(load_filter):
    flt = load_filter("availability_zone")
    host = fakes.host(aggregates=[{}], availability_zone="az1")
    assert flt.host_passes(host, fakes.spec(az="az1"))
    assert not flt.host_passes(host, fakes.spec(az="az2"))


def test_default_zone(load_filter):
    flt = load_filter("availability_zone")
    assert flt.host_passes(fakes.host(), fakes.spec(az="nova"))
    assert not flt.host_passes(fakes.host(), fakes.spec(az="az1"))
