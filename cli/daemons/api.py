"""nimbus-api: the WSGI application under cheroot."""

from nimbus.api import app as api_app
from nimbus.api import wsgi
from nimbus.cli.daemons import _runner

BINARY = "nimbus-api"


def build(conf, db):
    """:param db: the database API, handed to the core service APIs."""
    app = api_app.setup_app(conf, api_app.Services(conf, db))
    return wsgi.Server(app, conf.api.bind_host, conf.api.bind_port,
                       conf.api.threads)


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
