"""/volume/v3/volumes: create, list, show, update, delete, actions."""

import pecan

from nimbus.api import http
from nimbus.api.volume import common, metadata, microversion, schemas, views
from nimbus.core import exception

HOST_ATTR = "volume_extension:volume_host_attribute"
_STATUS_FILTERS = ("name", "status", "availability_zone", "bootable",
                   "project_id")


def _detail(volume):
    admin = http.may(HOST_ATTR, common.owner_target(volume))
    return views.volume_detail(http.base_url(), volume, common.version(),
                               admin)


def get_authorized(volume_id, action):
    """Return the volume after checking ``action`` against its owner.

    :raises VolumeNotFound: no such volume, or another project's (for
        anyone but an administrator).
    """
    common.check_id(volume_id, "volume")
    volume = common.volumes().get_volume(http.context(), volume_id)
    ctx = http.context()
    if not ctx.is_admin and volume.get(
            "os-vol-tenant-attr:tenant_id") != ctx.project_id:
        raise exception.VolumeNotFound(volume_id=volume_id)
    http.authorize(action, common.owner_target(volume))
    return volume


def _filters():
    get = pecan.request.GET
    filters = {}
    for key in _STATUS_FILTERS:
        value = get.get(key) or get.get("display_name" if key == "name"
                                         else key)
        if value:
            filters[key] = value
    if "bootable" in filters:
        filters["bootable"] = common.query_bool("bootable")
    metadata = common.metadata_filter()
    if metadata:
        filters["metadata"] = metadata
    return filters


def _matches(volume, filters):
    """Filters the service API may not apply itself (it is asked first;
    applying them again here is harmless)."""
    for key, wanted in filters.items():
        if key == "metadata":
            have = volume.get("metadata") or {}
            if any(have.get(k) != v for k, v in wanted.items()):
                return False
        elif key == "bootable":
            # The service API says "true"/"false", as Cinder's view does.
            if (volume.get("bootable") in (True, "true", "True")) != wanted:
                return False
        elif key == "project_id":
            if volume.get("os-vol-tenant-attr:tenant_id") != wanted:
                return False
        elif volume.get(key) != wanted:
            return False
    return True


def _list(detailed):
    http.authorize("volume:get_all")
    filters = _filters()
    everyone = common.all_projects()
    if not everyone:
        filters.pop("project_id", None)
    service_filters = {k: v for k, v in filters.items()
                       if k in ("name", "status")}
    records = common.volumes().list_volumes(
        http.context(), filters=service_filters, all_projects=everyone)
    records = [v for v in records if _matches(v, filters)]
    items, limit = common.page(records)
    if detailed:
        body = {"volumes": [_detail(v) for v in items]}
    else:
        body = {"volumes": [views.volume_summary(http.base_url(), v)
                            for v in items]}
    links = common.next_links("volumes/detail" if detailed else "volumes",
                              items, limit)
    if links:
        body["volumes_links"] = links
    return http.reply(body)


def _create_args(data):
    """The service API's keyword arguments for a create request.

    :raises Invalid: unsupported sources, or no size where one is needed.
    """
    for key, what in (("backup_id", "backups"),
                      ("consistencygroup_id", "consistency groups"),
                      ("group_id", "groups")):
        if data.get(key):
            raise exception.Invalid(
                reason=f"Creating volumes from {what} is not supported")
    sources = [k for k in ("snapshot_id", "source_volid", "imageRef")
               if data.get(k)]
    if len(sources) > 1:
        raise exception.Invalid(
            reason="Only one of snapshot_id, source_volid and imageRef "
                   "may be given")
    size = data.get("size")
    if size is None and not (data.get("snapshot_id") or
                             data.get("source_volid")):
        raise exception.Invalid(reason="size is required (an integer of "
                                       "GiB >= 1)")
    if size is not None:
        size = int(size)
        if size < 1:
            raise exception.Invalid(reason="size must be >= 1")
    image = data.get("imageRef")
    return dict(
        size=size,
        name=common.text_field(data, "name", "display_name")[1],
        description=common.text_field(data, "description",
                                      "display_description")[1],
        snapshot_id=data.get("snapshot_id"),
        image_id=image.rsplit("/", 1)[-1] if image else None,
        source_volid=data.get("source_volid"),
        availability_zone=data.get("availability_zone"),
        metadata=data.get("metadata"),
        volume_type=data.get("volume_type"),
        # Cinder's older way; a multiattach volume type is the newer.
        multiattach=schemas.boolean(data.get("multiattach") or False))


class ActionController:
    """/volume/v3/volumes/{id}/action."""

    def __init__(self, volume_id):
        self.volume_id = volume_id

    @pecan.expose("json")
    def index(self):
        http.allow("POST")
        body = http.body(schemas.VOLUME_ACTION)
        (name, args), = body.items()
        args = http.validate(args, schemas.VOLUME_ACTIONS[name])
        if name == "os-extend":
            return self._extend(args)
        return self._upload_image(args)

    def _extend(self, args):
        volume = get_authorized(self.volume_id, "volume:extend")
        new_size = int(args["new_size"])
        if volume["status"] == "in-use":
            if common.version() < microversion.EXTEND_IN_USE:
                raise exception.Invalid(
                    reason="Extending an in-use volume needs microversion "
                           f"{microversion.text(microversion.EXTEND_IN_USE)}"
                           " or later")
            http.authorize("volume:extend_attached_volume",
                           common.owner_target(volume))
        if new_size <= volume["size"]:
            raise exception.Invalid(
                reason=f"New size for extend must be greater than current "
                       f"size. (current: {volume['size']}, extended: "
                       f"{new_size})")
        common.volumes().extend_volume(http.context(), self.volume_id,
                                       new_size)
        return http.reply(None, 202)

    def _upload_image(self, args):
        volume = get_authorized(
            self.volume_id, "volume_extension:volume_actions:upload_image")
        if volume["status"] == "in-use" and not schemas.boolean(
                args.get("force") or False):
            raise exception.Invalid(
                reason=f"Volume {self.volume_id} is in-use; use force to "
                       "upload it")
        result = common.volumes().upload_to_image(
            http.context(), self.volume_id, args["image_name"],
            args.get("disk_format") or "raw",
            args.get("container_format") or "bare",
            force=schemas.boolean(args.get("force") or False))
        return http.reply({"os-volume_upload_image": result}, 202)


class VolumeController:
    """/volume/v3/volumes/{id}."""

    def __init__(self, volume_id):
        self.volume_id = volume_id
        self.action = ActionController(volume_id)
        self.metadata = metadata.MetadataController(
            "volume", volume_id, get_authorized)

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        return http.reply({"volume": _detail(
            get_authorized(self.volume_id, "volume:get"))})

    @index.when(method="PUT", template="json")
    def update(self):
        data = http.body(schemas.VOLUME_UPDATE)["volume"]
        get_authorized(self.volume_id, "volume:update")
        changes = common.name_description_changes(data)
        if data.get("metadata") is not None:
            changes["metadata"] = data["metadata"]
        volume = common.volumes().update_volume(
            http.context(), self.volume_id, **changes)
        return http.reply({"volume": _detail(volume)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        volume = get_authorized(self.volume_id, "volume:delete")
        force = common.query_bool("force")
        if force:
            http.authorize(
                "volume_extension:volume_admin_actions:force_delete",
                common.owner_target(volume))
        if common.query_bool("cascade"):
            raise exception.Invalid(
                reason="cascade delete is not supported: delete the "
                       "volume's snapshots first")
        common.volumes().delete_volume(http.context(), self.volume_id,
                                       force=force)
        return http.reply(None, 202)


class VolumesController:
    """/volume/v3/volumes and /volumes/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(schemas.VOLUME_CREATE)["volume"]
        http.authorize("volume:create")
        if data.get("imageRef"):
            http.authorize("volume:create_from_image")
        volume = common.volumes().create_volume(http.context(),
                                                **_create_args(data))
        return http.reply({"volume": _detail(volume)}, 202)

    @pecan.expose("json")
    def detail(self):
        http.allow("GET")
        return _list(detailed=True)

    @pecan.expose("json")
    def _lookup(self, volume_id, *remainder):
        if remainder and remainder[0] not in ("action", "metadata"):
            pecan.abort(404)
        return VolumeController(volume_id), remainder
