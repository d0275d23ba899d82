"""Per-request work of the OpenStack dialect: auth and microversions."""

import pecan

from nimbus.api import auth
from nimbus.api.openstack import microversion

# Version documents are served without a token (clients discover first).
PUBLIC_PATHS = {"/", "/v2.1", "/v2.1/", "/v2.1/openapi.json"}


class OpenStackHook(pecan.hooks.PecanHook):
    """Authenticate, parse the microversion, expose the core APIs."""

    priority = 10

    def __init__(self, conf, services):
        self.conf = conf
        self.services = services

    def on_route(self, state):
        request = state.request
        request.context["services"] = self.services
        request.context["conf"] = self.conf
        request.context["max_limit"] = self.conf.api.max_limit
        request.context["public_endpoint"] = self.conf.api.public_endpoint
        if request.path in PUBLIC_PATHS:
            return
        request.context["nimbus"] = auth.authenticate(self.conf, request,
                                                      self.services)
        version = microversion.requested(request.headers)
        request.context["api_version"] = version

    def after(self, state):
        version = state.request.context.get("api_version")
        if version is not None:
            for name, value in microversion.response_headers(version):
                state.response.headers[name] = value
