"""The noVNC websocket proxy: a client that presents a valid console
token is connected to the guest's VNC server the token names.

Built on websockify's request handler, served by a threaded
``http.server`` in the calling process (no forking: nimbus-all runs it
beside the other services). A websocket upgrade carries the token in
its query string (``/?token=...``, noVNC's ``path`` parameter) or in a
``token`` cookie; the token is checked through
:class:`~nimbus.core.objects.console_auth_token.ConsoleAuthToken`,
which runs on conductor in a process without a database. Unknown or
expired tokens get a 403 before any upgrade and nothing is connected,
and so does a browser's upgrade from a page of another site (an
``Origin`` whose host is neither the proxy's ``Host`` nor the host of
``[vnc] novncproxy_base_url``), as Nova's proxy refuses it.
Plain GETs serve the noVNC HTML client from ``[vnc] novnc_web`` when
that directory exists (405 otherwise).
"""

import http.cookies
import http.server
import os
import socket
import socketserver
import threading
import urllib.parse

from oslo_log import log as logging
from websockify import websocketproxy

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.objects import console_auth_token as cat_obj

LOG = logging.getLogger(__name__)
#: how long a stopping proxy's serve_forever may take to notice (s).
_POLL = 0.1

#: seconds to wait for the guest's console server to accept.
CONNECT_TIMEOUT = 10


def origin_allowed(origin, host_header, base_url):
    """Whether a websocket upgrade with ``Origin: origin`` may go on: no
    Origin (not a browser), or one naming the proxy's own host."""
    if origin is None:
        return True
    hostname = urllib.parse.urlparse(origin).hostname
    expected = {urllib.parse.urlparse(base_url).hostname,
                urllib.parse.urlparse("//" + (host_header or "")).hostname}
    return hostname is not None and hostname in expected


def token_of(path, cookie_header):
    """The console token in a request's query string, else its cookie."""
    query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
    if query.get("token"):
        return query["token"][0]
    cookies = http.cookies.SimpleCookie()
    try:
        cookies.load(cookie_header or "")
    except http.cookies.CookieError:
        return None
    morsel = cookies.get("token")
    return morsel.value if morsel else None


class ConsoleProxyHandler(websocketproxy.ProxyRequestHandler):
    """One client connection; the target comes from its token only."""

    def translate_path(self, path):
        self.directory = self.server.web_dir
        return super().translate_path(path)

    def log_message(self, format, *args):
        LOG.debug("%s %s", self.client_address[0], format % args)

    def handle_upgrade(self):
        if not origin_allowed(self.headers.get("origin"),
                              self.headers.get("host"),
                              self.server.base_url):
            LOG.info("Console connection from %s refused: Origin %s",
                     self.client_address[0], self.headers.get("origin"))
            self.send_error(403, "Origin header does not match this host")
            return
        token = token_of(self.path, self.headers.get("cookie"))
        try:
            if not token:
                raise exception.InvalidConsoleToken()
            self.console = cat_obj.ConsoleAuthToken.validate(
                nimbus_context.get_admin_context(), token)
        except exception.InvalidConsoleToken:
            # (Over RPC the exception's text carries conductor's
            # traceback: neither the log nor the client needs it.)
            LOG.info("Console connection from %s refused: unknown or "
                     "expired token", self.client_address[0])
            self.send_error(403, "The console token is unknown or expired")
            return
        except Exception:
            # Conductor unreachable or timing out: say so, connect nothing.
            LOG.exception("Checking a console token failed")
            self.send_error(503, "Console tokens cannot be checked now")
            return
        super().handle_upgrade()

    def new_websocket_client(self):
        console = self.console
        try:
            target = socket.create_connection(
                (console.host, console.port), timeout=CONNECT_TIMEOUT)
        except OSError as err:
            LOG.warning("Console of %(uuid)s at %(host)s:%(port)s is "
                        "unreachable: %(err)s",
                        {"uuid": console.instance_uuid, "host": console.host,
                         "port": console.port, "err": err})
            raise self.CClose(1011, "Failed to connect to the console")
        target.settimeout(None)
        target.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        LOG.info("Console of %(uuid)s opened for %(client)s",
                 {"uuid": console.instance_uuid,
                  "client": self.client_address[0]})
        try:
            if console.internal_access_path:
                target.sendall(("CONNECT %s HTTP/1.1\r\n\r\n" %
                                console.internal_access_path).encode())
            self.do_proxy(target)
        finally:
            target.close()


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    # What websockify's handler reads from its server.
    token_plugin = auth_plugin = heartbeat = None
    target_host = target_port = None
    verbose = record = run_once = file_only = False
    web_auth = host_token = traffic = daemon = False
    handler_id = 0


class ConsoleProxy:
    """``nimbus-novncproxy`` on ``host:port`` in a background thread.

    :param web: the noVNC directory to serve, or None (websocket only).
    :param base_url: ``[vnc] novncproxy_base_url``, whose host browsers'
        ``Origin`` may name.
    """

    name = "nimbus-novncproxy"

    def __init__(self, host, port, web=None, base_url=""):
        try:
            self._server = _Server((host, port), ConsoleProxyHandler)
        except OSError as err:
            raise exception.ConfigError(reason=(
                f"cannot listen on {host}:{port} ([vnc] novncproxy_host/"
                f"novncproxy_port): {err.strerror or err}")) from None
        web = web if web and os.path.isdir(web) else None
        self._server.web_dir = web
        self._server.only_upgrade = web is None
        self._server.logger = LOG
        self._server.base_url = base_url
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def base_url(self):
        return self._server.base_url

    @base_url.setter
    def base_url(self, url):
        self._server.base_url = url

    def start(self):
        # serve_forever notices shutdown() only when its select() times
        # out: a tenth of a second instead of the default half.
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": _POLL},
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info("%(name)s listening on %(addr)s",
                 {"name": self.name, "addr": self._server.server_address})

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)


def build(conf):
    """The proxy ``[vnc]`` configures."""
    return ConsoleProxy(conf.vnc.novncproxy_host, conf.vnc.novncproxy_port,
                        conf.vnc.novnc_web, conf.vnc.novncproxy_base_url)
