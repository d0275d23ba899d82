"""``/volumes/{id}/metadata`` and ``/snapshots/{id}/metadata`` (Cinder's
volume and snapshot metadata routes)::

    GET    .../metadata          {"metadata": {...}}
    POST   .../metadata          add or change keys; all of them back
    PUT    .../metadata          replace all keys; all of them back
    GET    .../metadata/{key}    {"meta": {key: value}}
    PUT    .../metadata/{key}    {"meta": {key: value}} (key as in the URI)
    DELETE .../metadata/{key}    200, empty

``openstack volume set --property`` posts, ``volume unset --property``
deletes each key (or, at microversion 3.15 and later, reads and puts the
whole dict).
"""

import pecan

from nimbus.api import http
from nimbus.api.volume import schemas
from nimbus.core import exception

#: kind -> (policy rules by verb, the record's authorizing lookup).
RULES = {
    "volume": {"get": "volume:get_volume_metadata",
               "create": "volume:create_volume_metadata",
               "update": "volume:update_volume_metadata",
               "delete": "volume:delete_volume_metadata"},
    "snapshot": {"get": "volume:get_snapshot_metadata",
                 "create": "volume:update_snapshot_metadata",
                 "update": "volume:update_snapshot_metadata",
                 "delete": "volume:delete_snapshot_metadata"},
}


def _api():
    return http.services().volume.metadata


class _Base:
    def __init__(self, kind, ident, authorize):
        self.kind = kind
        self.ident = ident
        self._authorize = authorize

    def authorized(self, verb):
        """Check the verb's rule against the record's owner (404 for
        another project's record)."""
        self._authorize(self.ident, RULES[self.kind][verb])


class MetadataItemController(_Base):
    """.../metadata/{key}."""

    def __init__(self, kind, ident, authorize, key):
        super().__init__(kind, ident, authorize)
        self.key = key

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        self.authorized("get")
        metadata = _api().get(http.context(), self.kind, self.ident)
        if self.key not in metadata:
            raise exception.MetadataKeyNotFound(
                kind=self.kind.capitalize(), resource_id=self.ident,
                key=self.key)
        return http.reply({"meta": {self.key: metadata[self.key]}})

    @index.when(method="PUT", template="json")
    def update(self):
        meta = http.body(schemas.META_ITEM)["meta"]
        self.authorized("update")
        if list(meta) != [self.key]:
            raise exception.Invalid(reason="Request body and URI mismatch")
        _api().update(http.context(), self.kind, self.ident, meta)
        return http.reply({"meta": meta})

    @index.when(method="DELETE", template="json")
    def delete(self):
        self.authorized("delete")
        _api().delete(http.context(), self.kind, self.ident, self.key)
        return http.reply(None, 200)


class MetadataController(_Base):
    """.../metadata.

    :param authorize: ``authorize(ident, rule)``, the kind's lookup that
        checks policy against the record's owner.
    """

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST", "PUT")
        self.authorized("get")
        return http.reply({"metadata": _api().get(
            http.context(), self.kind, self.ident)})

    @index.when(method="POST", template="json")
    def create(self):
        metadata = http.body(schemas.METADATA)["metadata"]
        self.authorized("create")
        return http.reply({"metadata": _api().update(
            http.context(), self.kind, self.ident, metadata)})

    @index.when(method="PUT", template="json")
    def update_all(self):
        metadata = http.body(schemas.METADATA)["metadata"]
        self.authorized("update")
        return http.reply({"metadata": _api().update(
            http.context(), self.kind, self.ident, metadata,
            replace=True)})

    @pecan.expose("json")
    def _lookup(self, key, *remainder):
        if remainder:
            pecan.abort(404)
        return MetadataItemController(self.kind, self.ident,
                                      self._authorize, key), remainder
