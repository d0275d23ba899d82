"""/volume and /volume/v3: version documents and the resources."""

import pecan

from nimbus.api import http
from nimbus.api.volume import (
    openapi,
    quotas,
    snapshots,
    types,
    versions,
    volumes,
)


class V3Controller:
    """/volume/v3 (and /volume/v3/{project_id}, the older URL form)."""

    def __init__(self):
        self.volumes = volumes.VolumesController()
        self.snapshots = snapshots.SnapshotsController()
        self.types = types.TypesController()
        setattr(self, "os-quota-sets", quotas.QuotaSetsController())

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(versions.document(http.base_url()))

    @pecan.expose("json", route="openapi.json")
    def openapi(self):
        http.allow("GET")
        return http.reply(openapi.document(http.base_url()))

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        context = pecan.request.context.get("nimbus")
        if remainder and context is not None and \
                segment == context.project_id and \
                remainder[0] in ("volumes", "snapshots", "types",
                                 "os-quota-sets"):
            return self, remainder
        pecan.abort(404)


class VolumeRoot:
    """/volume: the list of versions (300, as Cinder answers)."""

    def __init__(self):
        self.v3 = V3Controller()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply(versions.document(http.base_url()), 300)

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if segment == "volume":
            return self, remainder
        pecan.abort(404)
