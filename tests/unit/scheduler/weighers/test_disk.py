from tests.unit.scheduler import fakes


def test_more_free_disk_weighs_more(load_weigher, conf):
    w = load_weigher("disk")
    assert w.weigh(fakes.host(local_gb_used=10), fakes.spec()) > \
        w.weigh(fakes.host(local_gb_used=100), fakes.spec())
    conf.set_override("disk_weight_multiplier", 0.0, "scheduler")
    assert w.multiplier(fakes.host()) == 0.0
