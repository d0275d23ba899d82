from tests.unit.scheduler import fakes


def test_more_free_ram_weighs_more(load_weigher, conf):
    w = load_weigher("ram")
    assert w.weigh(fakes.host(memory_mb=8192), fakes.spec()) > \
        w.weigh(fakes.host(memory_mb=4096), fakes.spec())
    conf.set_override("ram_weight_multiplier", -2.0, "scheduler")
    assert w.multiplier(fakes.host()) == -2.0


def test_aggregate_overrides_multiplier(load_weigher):
    w = load_weigher("ram")
    host = fakes.host(aggregates=[{"ram_weight_multiplier": "3"},
                                  {"ram_weight_multiplier": "0.5"}])
    assert w.multiplier(host) == 0.5
