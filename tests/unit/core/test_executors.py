"""The thread pool that stops at once (nimbus.core.executors)."""

import threading
import time

import futurist
import oslo_messaging as messaging

from nimbus.core import executors, rpc


def _idle_pool(workers=4):
    pool = executors.ThreadPoolExecutor(max_workers=workers)
    futures = [pool.submit(time.sleep, 0.01) for _ in range(workers)]
    for future in futures:
        future.result(5)
    assert pool.num_workers == workers
    time.sleep(0.05)  # every worker back waiting on the queue
    return pool


def test_an_idle_pool_shuts_down_at_once():
    # futurist's idle workers poll their queue once a second; these are
    # woken instead.
    pool = _idle_pool()
    started = time.monotonic()
    pool.shutdown(wait=True)
    assert time.monotonic() - started < 0.5
    assert not any(worker.is_alive() for worker in pool._workers)


def test_queued_work_still_runs_before_the_pool_stops():
    pool = executors.ThreadPoolExecutor(max_workers=1)
    gate = threading.Event()
    done = []
    pool.submit(gate.wait, 5)
    for n in range(5):
        pool.submit(done.append, n)
    threading.Timer(0.1, gate.set).start()
    pool.shutdown(wait=True)
    assert done == [0, 1, 2, 3, 4]


def test_a_shut_down_pool_takes_no_more_work():
    pool = _idle_pool(1)
    pool.shutdown(wait=True)
    pool.shutdown(wait=True)  # twice is harmless
    try:
        pool.submit(print)
    except RuntimeError:
        return
    raise AssertionError("a shut down pool took work")


def test_rpc_servers_run_on_it(nimbus_conf):
    server = rpc.get_server(messaging.Target(topic="t", server="h"), [])
    assert server._executor_cls is executors.ThreadPoolExecutor
    # a class oslo.messaging no longer names is left alone
    other = type("Server", (), {"_executor_cls": futurist.ThreadPoolExecutor
                                 .__base__})()
    assert executors.adopt(other)._executor_cls is \
        futurist.ThreadPoolExecutor.__base__
