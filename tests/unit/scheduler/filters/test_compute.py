from tests.unit.scheduler import fakes


def test_up_and_enabled_passes(load_filter):
    assert load_filter("compute").host_passes(fakes.host(), fakes.spec())


def test_down_or_disabled_rejected(load_filter):
    flt = load_filter("compute")
    assert not flt.host_passes(fakes.host(service_up=False), fakes.spec())
    assert not flt.host_passes(fakes.host(service_disabled=True),
                               fakes.spec())
