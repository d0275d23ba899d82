from tests.unit.scheduler import fakes


def test_avoids_hosts_of_named_instances(load_filter):
    flt = load_filter("different_host")
    spec = fakes.spec(hints={"different_host": "i1"})
    assert flt.applies(spec)
    assert not flt.host_passes(fakes.host(instances={"i1", "i2"}), spec)
    assert flt.host_passes(fakes.host(instances={"i2"}), spec)
    assert not flt.applies(fakes.spec())
