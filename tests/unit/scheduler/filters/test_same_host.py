from tests.unit.scheduler import fakes


def test_only_hosts_of_named_instances(load_filter):
    flt = load_filter("same_host")
    spec = fakes.spec(hints={"same_host": ["i1", "i9"]})
    assert flt.applies(spec)
    assert flt.host_passes(fakes.host(instances={"i1"}), spec)
    assert not flt.host_passes(fakes.host(instances={"i2"}), spec)


def test_string_hint_and_absent_hint(load_filter):
    flt = load_filter("same_host")
    assert flt.host_passes(fakes.host(instances={"i1"}),
                           fakes.spec(hints={"same_host": "i1"}))
    assert not flt.applies(fakes.spec())
