"""``/network``: Neutron's version list, ``/network/v2.0`` and its
collections, and the dialect's OpenAPI document."""

import pecan

from nimbus.api import http
from nimbus.api.network import collections, openapi, quotas, resources, views
from nimbus.core import exception


class ExtensionsController:
    """``/network/v2.0/extensions``: what clients may probe for."""

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply({"extensions": [views.extension(*ext)
                                          for ext in views.EXTENSIONS]})

    @pecan.expose("json")
    def _lookup(self, alias, *remainder):
        for ext in views.EXTENSIONS:
            if ext[0] == alias and not remainder:
                return _Extension(ext), ()
        raise exception.NotFound(
            message=f"Extension with alias {alias} does not exist")


class _Extension:
    def __init__(self, ext):
        self.ext = ext

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply({"extension": views.extension(*self.ext)})


class V2Controller:
    """``/network/v2.0``: the list of collections and each collection."""

    def __init__(self):
        for resource in resources.ALL:
            setattr(self, resource.path,
                    collections.CollectionController(resource))
        self.quotas = quotas.QuotasController()
        self.extensions = ExtensionsController()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(views.resources(http.base_url()))

    @pecan.expose("json", route="openapi.json")
    def openapi(self):
        http.allow("GET")
        return http.reply(openapi.document(http.base_url()))

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        pecan.abort(404)


class NetworkRoot:
    """``/network``: the versions (200, as Neutron answers at its
    root)."""

    def __init__(self):
        setattr(self, "v2.0", V2Controller())

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(views.versions(http.base_url()))

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if segment == "network":
            return self, remainder
        if segment == "v2.0":
            return getattr(self, "v2.0"), remainder
        pecan.abort(404)
