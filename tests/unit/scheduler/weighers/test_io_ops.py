from tests.unit.scheduler import fakes


def test_busy_hosts_weigh_less(load_weigher):
    w = load_weigher("io_ops")
    busy = w.multiplier(fakes.host()) * w.weigh(fakes.host(io_ops=4),
                                               fakes.spec())
    idle = w.multiplier(fakes.host()) * w.weigh(fakes.host(io_ops=0),
                                               fakes.spec())
    assert busy < idle
