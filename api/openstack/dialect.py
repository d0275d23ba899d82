"""The OpenStack dialect's entry point (``nimbus.api.dialects``)."""

from nimbus.api.openstack import faults, hooks
from nimbus.api.openstack.controllers import root
from nimbus.core.interfaces import api_dialect


class OpenStackDialect(api_dialect.APIDialect):
    """OpenStack Compute API v2.1 with microversions, at ``/`` and
    ``/v2.1``."""

    prefixes = ("", "v2.1")

    def __init__(self, conf, services):
        super().__init__(conf, services)
        self._root = root.RootController()
        self._hook = hooks.OpenStackHook(conf, services)

    def root_controller(self):
        return self._root

    def hooks(self):
        return [self._hook]

    def error_response(self, request, error):
        return faults.render(request, error)
