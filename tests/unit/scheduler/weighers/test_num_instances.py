from tests.unit.scheduler import fakes


def test_counts_instances_multiplier_off_by_default(load_weigher):
    w = load_weigher("num_instances")
    assert w.weigh(fakes.host(running_vms=3), fakes.spec()) == 3
    assert w.multiplier(fakes.host()) == 0.0
