"""nimbus-api: the WSGI application under cheroot, and beside it the
metadata service guests reach (``[network] metadata_host:
metadata_port``) and, when the ``ec2`` dialect is enabled, the EC2 Query
API at ``/`` of ``[ec2] bind_host:bind_port``."""

from nimbus.api import app as api_app
from nimbus.api import wsgi
from nimbus.api.ec2 import app as ec2_app
from nimbus.cli.daemons import _runner
from nimbus.cli.daemons import metadata as metadata_daemon
from nimbus.core import context as nimbus_context
from nimbus.core import metrics

BINARY = "nimbus-api"


def build(conf, db, sample=True):
    """:param db: the database API, handed to the core service APIs.
    :param sample: run the API's own metrics sampler (False in
        nimbus-all, whose conductor samples into the same registry).

    :returns: a :class:`~nimbus.api.wsgi.Servers` whose ``port`` is the
        API's.
    """
    services = api_app.Services(conf, db)
    app = api_app.setup_app(conf, services)
    if metrics.serve(conf, BINARY) and sample:
        metrics.run_sampler(conf, lambda: services.admin.service_states(
            nimbus_context.get_admin_context()))
    servers = [wsgi.Server(app, conf.api.bind_host, conf.api.bind_port,
                           conf.api.threads),
               metadata_daemon.build(conf, services)]
    if "ec2" in conf.api.enabled_dialects:
        servers.append(wsgi.Server(
            ec2_app.Ec2App(conf, services), conf.ec2.bind_host,
            conf.ec2.bind_port, conf.api.threads, name="nimbus-ec2",
            option="[ec2] bind_host/bind_port"))
    return wsgi.Servers(servers)


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
