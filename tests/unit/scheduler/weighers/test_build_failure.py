from tests.unit.scheduler import fakes


def test_failing_host_weighs_far_less(load_weigher):
    w = load_weigher("build_failure")
    m = w.multiplier(fakes.host())
    assert m >= 1e6
    assert m * w.weigh(fakes.host(failed_builds=1), fakes.spec()) < \
        m * w.weigh(fakes.host(failed_builds=0), fakes.spec())
