"""Thread pools that stop at once.

futurist's :class:`~futurist.ThreadPoolExecutor` (the pool of every RPC
server's threading executor and of the periodic tasks) lets an idle
worker notice a shutdown only when its wait on the work queue times out,
once a second (``futurist._thread.ThreadWorker.MAX_IDLE_FOR``): every
``shutdown(wait=True)`` of a pool with an idle thread took up to a
second, and so did stopping each service (SIGTERM of a daemon, the end
of every embedded cloud). :class:`ThreadPoolExecutor` is that pool with
one change: once its workers are told to stop, each is handed an empty
work item, so an idle one wakes, finds it should stop and ends.
Queued work still runs first, as in futurist's.
"""

import futurist


class _Wake:
    """An empty work item: wakes an idle worker, runs nothing."""

    def run(self):
        pass


class ThreadPoolExecutor(futurist.ThreadPoolExecutor):
    """futurist's thread pool whose idle workers end as soon as it is
    shut down (see the module's docstring)."""

    def shutdown(self, wait=True, *, cancel_futures=False):
        # futurist's shutdown, plus the wake-up items (same locking: no
        # submission slips in between the queue's join and the stop).
        with self._shutdown_lock:
            if not self._shutdown:
                self._shutdown = True
                if wait:
                    self._work_queue.join()
                for worker in self._workers:
                    worker.stop()
                for _ in self._workers:
                    self._work_queue.put(_Wake())
        if wait:
            for worker in self._workers:
                worker.join()


def adopt(server):
    """Make an oslo.messaging server (not yet started) run its messages
    on :class:`ThreadPoolExecutor`; returns the server. oslo.messaging
    picks the class from its ``threading`` executor entry point and
    keeps it in ``_executor_cls``, which it instantiates on start; a
    server without that attribute (another oslo.messaging) is left as
    it is: it only stops a second later."""
    if getattr(server, "_executor_cls", None) is futurist.ThreadPoolExecutor:
        server._executor_cls = ThreadPoolExecutor
    return server
