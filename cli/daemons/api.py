"""nimbus-api: the WSGI application under cheroot."""

import sys

from nimbus.api import app as api_app
from nimbus.api import wsgi
from nimbus.core import bootstrap, service
from nimbus.core.db import setup as db_setup

BINARY = "nimbus-api"


def build(conf):
    app = api_app.setup_app(conf)
    return wsgi.Server(app, conf.api.bind_host, conf.api.bind_port,
                       conf.api.threads)


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY)
        db_setup.use_database(conf)
        server = build(conf)
        server.start()
        service.wait_for_signal([server.stop])
        return 0
    return bootstrap.run(BINARY, _main)
