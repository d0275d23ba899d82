"""The EC2 dialect (``nimbus.api.dialects``): the EC2 Query API.

It is served at ``/`` of its own port (``[ec2] bind_host:bind_port``,
8788 by default; nimbus-api and nimbus-all start that server when
``ec2`` is enabled) and at ``/services/Cloud`` of the API's port (the
path nova's EC2 API used), both by the same :class:`~.app.Ec2App`.
"""

import pecan

from nimbus.api.ec2 import app
from nimbus.core.interfaces import api_dialect


class _Root:
    """``/services/...`` on the API port: hand the request to the app."""

    def __init__(self, ec2_app):
        self._app = ec2_app

    @pecan.expose()
    def _default(self, *remainder):
        return self._app.respond(pecan.request)

    @pecan.expose()
    def index(self):
        return self._app.respond(pecan.request)


class EC2Dialect(api_dialect.APIDialect):
    """EC2 Query API (instances, images, key pairs, regions, tags, ...)."""

    prefixes = ("services",)

    def __init__(self, conf, services):
        super().__init__(conf, services)
        self.app = app.Ec2App(conf, services)
        self._root = _Root(self.app)

    def root_controller(self):
        return self._root

    def error_response(self, request, error):
        return app.error_response(
            error, request.environ.get("nimbus.request_id", "req-unknown"),
            request)
