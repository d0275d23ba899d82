"""One INFO line per API request, logged in the request's own context:
the request id and, once authentication has run, the caller's user and
project (``[req-... user project ...]`` in oslo.log's format).

The query string is left out: EC2 requests sent as GET carry their
signature and access key there. The path is logged percent-encoded, as
it came on the wire: a decoded newline or control character in it could
forge log lines.
"""

import time
import urllib.parse

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def log_request(environ, status, started):
    """Log ``environ``'s request as answered with ``status`` (the status
    line or code), ``started`` being its ``time.monotonic()``."""
    LOG.info('%(peer)s "%(method)s %(path)s" status: %(status)s '
             'time: %(time).3f',
             {"peer": environ.get("REMOTE_ADDR", "-"),
              "method": environ.get("REQUEST_METHOD", "-"),
              "path": wire_path(environ),
              "status": str(status).split(" ", 1)[0],
              "time": time.monotonic() - started})


def wire_path(environ):
    """The request path percent-encoded (WSGI gives it decoded, as
    latin-1 text of its bytes)."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return urllib.parse.quote(path.encode("latin-1", "replace"),
                              safe="/:@!$&'()*+,;=-._~")
