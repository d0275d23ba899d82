"""/identity/v3/domains: nimbus's identity has one domain, ``default``
(``Default``), which stock clients look up by id or by name when they
resolve ``--domain``, ``--project-domain`` and ``--user-domain``."""

import pecan

from nimbus.api import http
from nimbus.core import exception

DEFAULT = {"id": "default", "name": "Default",
           "description": "The default domain", "enabled": True}


def domain_view():
    return dict(DEFAULT, tags=[], options={}, links={
        "self": f"{http.base_url()}/identity/v3/domains/default"})


def _matches(domain, query):
    """Keystone's list filters that nimbus's one domain can meet."""
    for key in ("name", "id"):
        if key in query and query[key] != domain[key]:
            return False
    if "enabled" in query and query["enabled"].lower() not in (
            "true", "1", "yes"):
        return False
    return True


class DomainsController:
    """/identity/v3/domains[?name=][/{id}]."""

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        http.authorize("identity:list_domains")
        found = [domain_view()] if _matches(DEFAULT, pecan.request.GET) \
            else []
        return http.reply({"domains": found, "links": {
            "self": f"{http.base_url()}/identity/v3/domains",
            "previous": None, "next": None}})

    @pecan.expose("json")
    def _lookup(self, ident, *remainder):
        if remainder:
            pecan.abort(404)
        http.allow("GET")
        http.authorize("identity:get_domain")
        if ident != DEFAULT["id"]:
            raise exception.NotFound(
                message=f"Could not find domain: {ident}.")
        return _Shown({"domain": domain_view()}), ()


class _Shown:
    def __init__(self, body):
        self.body = body

    @pecan.expose("json")
    def index(self):
        return http.reply(self.body)
