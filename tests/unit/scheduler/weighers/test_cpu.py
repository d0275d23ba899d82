from tests.unit.scheduler import fakes


def test_more_free_vcpus_weighs_more(load_weigher):
    w = load_weigher("cpu")
    assert w.weigh(fakes.host(vcpus_used=1), fakes.spec()) > \
        w.weigh(fakes.host(vcpus_used=8), fakes.spec())
    assert w.multiplier(fakes.host(
        aggregates=[{"cpu_weight_multiplier": "-1"}])) == -1.0
