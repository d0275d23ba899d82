from tests.unit.scheduler import fakes


def test_matching_aggregate(load_filter):
    flt = load_filter("aggregate_instance_extra_specs")
    ssd = fakes.host(aggregates=[{"ssd": "true"}])
    plain = fakes.host(aggregates=[])
    spec = fakes.spec(extra_specs={"ssd": "true"})
    assert flt.host_passes(ssd, spec)
    assert not flt.host_passes(plain, spec)


def test_scoped_key_and_operator(load_filter):
    flt = load_filter("aggregate_instance_extra_specs")
    host = fakes.host(aggregates=[{"tier": "gold"}, {"cpus": "32"}])
    assert flt.host_passes(host, fakes.spec(extra_specs={
        "aggregate_instance_extra_specs:tier": "<or> gold <or> silver",
        "cpus": ">= 16"}))
    assert not flt.host_passes(host, fakes.spec(extra_specs={
        "aggregate_instance_extra_specs:tier": "bronze"}))


def test_other_scopes_ignored(load_filter):
    flt = load_filter("aggregate_instance_extra_specs")
    assert not flt.applies(fakes.spec(extra_specs={"hw:cpu_policy": "x"}))
