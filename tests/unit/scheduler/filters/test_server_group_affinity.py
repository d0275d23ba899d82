from tests.unit.scheduler import fakes


def test_only_for_affinity_groups(load_filter):
    flt = load_filter("server_group_affinity")
    assert not flt.applies(fakes.spec())
    assert not flt.applies(fakes.spec(group=fakes.group("anti-affinity")))
    assert flt.applies(fakes.spec(group=fakes.group("affinity")))


def test_first_member_anywhere_then_same_host(load_filter):
    flt = load_filter("server_group_affinity")
    a, b = fakes.host("a"), fakes.host("b")
    empty = fakes.spec(group=fakes.group("affinity"))
    assert flt.host_passes(a, empty) and flt.host_passes(b, empty)
    placed = fakes.spec(group=fakes.group("affinity", ["a"]))
    assert flt.host_passes(a, placed)
    assert not flt.host_passes(b, placed)
