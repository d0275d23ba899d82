from tests.unit.scheduler import fakes


def test_isolated_host_takes_only_its_tenants(load_filter):
    flt = load_filter("aggregate_multitenancy_isolation")
    host = fakes.host(aggregates=[{"filter_tenant_id": "p1, p2"},
                                  {"filter_tenant_id_2": "p3"}])
    assert flt.host_passes(host, fakes.spec(project_id="p2"))
    assert flt.host_passes(host, fakes.spec(project_id="p3"))
    assert not flt.host_passes(host, fakes.spec(project_id="p9"))


def test_unisolated_host_takes_anyone(load_filter):
    flt = load_filter("aggregate_multitenancy_isolation")
    host = fakes.host(aggregates=[{"ssd": "true"}])
    assert flt.host_passes(host, fakes.spec(project_id="p9"))
