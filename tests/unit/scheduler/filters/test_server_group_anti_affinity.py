from tests.unit.scheduler import fakes


def test_rejects_host_with_member(load_filter):
    flt = load_filter("server_group_anti_affinity")
    spec = fakes.spec(group=fakes.group("anti-affinity", ["a"]))
    assert flt.applies(spec)
    assert not flt.host_passes(fakes.host("a"), spec)
    assert flt.host_passes(fakes.host("b"), spec)


def test_max_server_per_host(load_filter):
    flt = load_filter("server_group_anti_affinity")
    spec = fakes.spec(group=fakes.group("anti-affinity", ["a", "b", "b"],
                                        max_server_per_host=2))
    assert flt.host_passes(fakes.host("a"), spec)
    assert not flt.host_passes(fakes.host("b"), spec)


def test_soft_policy_not_filtered(load_filter):
    flt = load_filter("server_group_anti_affinity")
    assert not flt.applies(fakes.spec(
        group=fakes.group("soft-anti-affinity", ["a"])))
