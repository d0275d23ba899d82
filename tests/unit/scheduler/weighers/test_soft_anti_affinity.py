from tests.unit.scheduler import fakes


def test_prefers_hosts_without_members(load_weigher):
    w = load_weigher("soft_anti_affinity")
    spec = fakes.spec(group=fakes.group("soft-anti-affinity", ["a", "a"]))
    assert w.applies(spec)
    assert not w.applies(fakes.spec(group=fakes.group("anti-affinity")))
    assert w.weigh(fakes.host("b"), spec) > w.weigh(fakes.host("a"), spec)
