"""Serving the WSGI application with cheroot (a production WSGI server:
threaded, HTTP/1.1 keep-alive, no monkey patching)."""

import threading

from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging

from nimbus.core import exception, service

LOG = logging.getLogger(__name__)
#: how long a stopping server's selector loop may take to notice (s).
STOP_POLL = 0.1


class Server:
    """A cheroot server on ``host:port`` running in a background thread.

    :param name: the server's name, in its thread and log lines.
    :param option: the options that set ``host``/``port``, named in the
        one-line error when the address cannot be bound.
    """

    def __init__(self, app, host, port, threads, name="nimbus-api",
                 option="[api] bind_host/bind_port"):
        self.name = name
        self._option = option
        self._server = cheroot_wsgi.Server(
            (host, port), app, numthreads=threads,
            server_name=name, request_queue_size=256,
            timeout=60, shutdown_timeout=5)
        # cheroot's selector loop notices stop() only when its select()
        # times out, every expiration_interval (0.5 s by default): each
        # stop of a nimbus-api (SIGTERM, every embedded cloud's end)
        # waited that long. A tenth of a second costs ten idle wake-ups
        # a second.
        self._server.expiration_interval = STOP_POLL
        self._thread = None

    @property
    def port(self):
        return self._server.bind_addr[1]

    def start(self):
        try:
            self._server.prepare()
        except OSError as err:
            host, port = self._server.bind_addr[:2]
            raise exception.ConfigError(reason=(
                f"cannot listen on {host}:{port} ({self._option}): "
                f"{err.strerror or err}")) from None
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info("%(name)s listening on %(addr)s",
                 {"name": self.name, "addr": self._server.bind_addr})

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join(10)


class Servers:
    """Several servers started and stopped together (the API and the
    metadata service of one nimbus-api); ``port`` is the first one's."""

    def __init__(self, servers):
        self.servers = list(servers)

    @property
    def port(self):
        return self.servers[0].port

    def start(self):
        started = []
        try:
            for server in self.servers:
                server.start()
                started.append(server)
        except Exception:
            for server in reversed(started):
                server.stop()
            raise

    def stop(self):
        # Side by side: each waits up to STOP_POLL for its selector.
        service.in_parallel([server.stop for server in self.servers])
