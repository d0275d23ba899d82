"""/volume/v3/snapshots: create, list, show, update, delete."""

import pecan

from nimbus.api import http
from nimbus.api.volume import common, metadata, microversion, schemas, views
from nimbus.api.volume import volumes as volumes_ctl
from nimbus.core import exception


def _view(snap, detail=True):
    return views.snapshot(http.base_url(), snap, common.version(), detail)


def _owner(snap):
    return snap.get("os-extended-snapshot-attributes:project_id") or \
        snap.get("project_id")


def get_authorized(snapshot_id, action):
    """Return the snapshot after checking ``action`` against its owner.

    :raises SnapshotNotFound: no such snapshot, or another project's.
    """
    common.check_id(snapshot_id, "snapshot")
    ctx = http.context()
    snap = common.volumes().get_snapshot(ctx, snapshot_id)
    if not ctx.is_admin and _owner(snap) != ctx.project_id:
        raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
    http.authorize(action, {"project_id": _owner(snap) or ""})
    return snap


def _list(detailed):
    http.authorize("volume:get_all_snapshots")
    get = pecan.request.GET
    filters = {}
    for key in ("name", "status", "volume_id"):
        value = get.get(key) or (get.get("display_name")
                                 if key == "name" else None)
        if value:
            filters[key] = value
    records = common.volumes().list_snapshots(
        http.context(), filters=filters, all_projects=common.all_projects())
    records = [s for s in records
               if all(s.get(k) == v for k, v in filters.items())]
    items, limit = common.page(records)
    body = {"snapshots": [_view(s, detailed) for s in items]}
    links = common.next_links(
        "snapshots/detail" if detailed else "snapshots", items, limit)
    if links:
        body["snapshots_links"] = links
    return http.reply(body)


class SnapshotController:
    """/volume/v3/snapshots/{id}."""

    def __init__(self, snapshot_id):
        self.snapshot_id = snapshot_id
        self.metadata = metadata.MetadataController(
            "snapshot", snapshot_id, get_authorized)

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        return http.reply({"snapshot": _view(
            get_authorized(self.snapshot_id, "volume:get_snapshot"))})

    @index.when(method="PUT", template="json")
    def update(self):
        data = http.body(schemas.SNAPSHOT_UPDATE)["snapshot"]
        get_authorized(self.snapshot_id, "volume:update_snapshot")
        changes = common.name_description_changes(data)
        snap = common.volumes().update_snapshot(
            http.context(), self.snapshot_id, **changes)
        return http.reply({"snapshot": _view(snap)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        get_authorized(self.snapshot_id, "volume:delete_snapshot")
        common.volumes().delete_snapshot(http.context(), self.snapshot_id)
        return http.reply(None, 202)


class SnapshotsController:
    """/volume/v3/snapshots and /snapshots/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(schemas.SNAPSHOT_CREATE)["snapshot"]
        http.authorize("volume:create_snapshot")
        # The volume must be the caller's to see (404 otherwise).
        volume = volumes_ctl.get_authorized(data["volume_id"],
                                            "volume:create_snapshot")
        force = data.get("force")
        if common.version() >= microversion.SNAPSHOT_IN_USE:
            if force is not None and not schemas.boolean(force):
                raise exception.Invalid(
                    reason="force=False is not allowed from microversion "
                           f"{microversion.text(microversion.SNAPSHOT_IN_USE)}")
            force = True
        else:
            force = schemas.boolean(force) if force is not None else False
        if volume["status"] == "in-use" and not force:
            raise exception.Invalid(
                reason=f"Volume {volume['id']} is in-use: a snapshot needs "
                       "force=True (or microversion 3.66)")
        snap = common.volumes().create_snapshot(
            http.context(), data["volume_id"],
            name=common.text_field(data, "name", "display_name")[1],
            description=common.text_field(data, "description",
                                          "display_description")[1],
            force=force, metadata=data.get("metadata"))
        return http.reply({"snapshot": _view(snap)}, 202)

    @pecan.expose("json")
    def detail(self):
        http.allow("GET")
        return _list(detailed=True)

    @pecan.expose("json")
    def _lookup(self, snapshot_id, *remainder):
        if remainder and remainder[0] != "metadata":
            pecan.abort(404)
        return SnapshotController(snapshot_id), remainder
