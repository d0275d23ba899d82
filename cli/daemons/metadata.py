"""nimbus-metadata: the metadata service alone (nimbus-api and nimbus-all
also run it beside the API; see :func:`build`)."""

from nimbus.api import app as api_app
from nimbus.api import wsgi
from nimbus.api.metadata import app as metadata_app
from nimbus.cli.daemons import _runner

BINARY = "nimbus-metadata"


def build(conf, services):
    """The metadata server on ``[network] metadata_host:metadata_port``.

    :param services: the API's :class:`~nimbus.api.app.Services` (the
        metadata app uses its network and compute service APIs).
    """
    return wsgi.Server(metadata_app.MetadataApp(services),
                       conf.network.metadata_host,
                       conf.network.metadata_port, conf.api.threads,
                       name=BINARY,
                       option="[network] metadata_host/metadata_port")


def main(argv=None):
    return _runner.serve_with_database(
        BINARY, lambda conf, db: build(conf, api_app.Services(conf, db)),
        argv)
