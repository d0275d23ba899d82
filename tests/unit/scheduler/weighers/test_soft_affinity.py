from tests.unit.scheduler import fakes


def test_prefers_hosts_with_members(load_weigher):
    w = load_weigher("soft_affinity")
    spec = fakes.spec(group=fakes.group("soft-affinity", ["a", "a", "b"]))
    assert w.applies(spec) and not w.applies(fakes.spec())
    assert w.weigh(fakes.host("a"), spec) > w.weigh(fakes.host("b"), spec) \
        > w.weigh(fakes.host("c"), spec)
