"""Serving the WSGI application with cheroot (a production WSGI server:
threaded, HTTP/1.1 keep-alive, no monkey patching)."""

import threading

from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class Server:
    """A cheroot server on ``host:port`` running in a background thread."""

    def __init__(self, app, host, port, threads):
        self._server = cheroot_wsgi.Server(
            (host, port), app, numthreads=threads,
            server_name="nimbus-api", request_queue_size=256,
            timeout=60, shutdown_timeout=5)
        self._thread = None

    @property
    def port(self):
        return self._server.bind_addr[1]

    def start(self):
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve,
                                        name="nimbus-api", daemon=True)
        self._thread.start()
        LOG.info("API listening on %(addr)s", {"addr": self._server.bind_addr})

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join(10)
