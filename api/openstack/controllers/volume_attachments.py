"""/servers/{id}/os-volume_attachments: list, show, attach, detach
(Nova's bodies up to 2.11: ``id``, ``serverId``, ``volumeId``,
``device``); from 2.20 also of shelved-offloaded servers; from 2.60
multiattach volumes (below it they are a 400, as Nova); from 2.70 the
device ``tag`` in bodies; from 2.79 ``delete_on_termination`` at attach
and in bodies; from 2.85 PUT changes ``delete_on_termination`` (below it
PUT is Nova's swap, which only the volume service may ask for while it
migrates the volume: nimbus's never does, so it is Nova's 409); from
2.89 list and show bodies carry ``attachment_id``
(the volume service's) and ``bdm_uuid`` (the block device mapping's)
instead of ``id``."""

import pecan
from oslo_utils import strutils, uuidutils

from nimbus.api.openstack import common, schemas_volumes
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.core import exception

P = "os_compute_api:os-volumes-attachments:%s"


def _instance(server_id, rule):
    from nimbus.api.openstack.controllers import servers
    return servers.get_authorized(server_id, rule)


def view(server_id, entry, attach=False):
    """An attachment as the request's microversion shows it; ``attach``:
    the answer of an attach, which 2.89 left as it was (Nova's)."""
    body = {"id": entry["volume_id"], "serverId": server_id,
            "volumeId": entry["volume_id"], "device": entry.get("device")}
    if common.at_least(70):
        body["tag"] = entry.get("tag")
    if common.at_least(79):
        body["delete_on_termination"] = bool(
            entry.get("delete_on_termination"))
    if common.at_least(89) and not attach:
        del body["id"]
        body["attachment_id"] = entry["attachment_id"]
        body["bdm_uuid"] = entry["bdm_uuid"]
    return body


def _shown(entries):
    """From 2.89 only attachments with both ids (Nova leaves out those
    without an attachment id; nimbus's always have one, and a block
    device mapping unless one is being made)."""
    if not common.at_least(89):
        return entries
    return [e for e in entries if e.get("attachment_id") and
            e.get("bdm_uuid")]


class VolumeAttachmentController:
    """/servers/{id}/os-volume_attachments/{volume_id}."""

    def __init__(self, server_id, volume_id):
        self.server_id = server_id
        self.volume_id = volume_id

    def _check_id(self):
        if not uuidutils.is_uuid_like(self.volume_id):
            raise exception.VolumeAttachmentNotFound(
                attachment_id=self.volume_id)

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        instance = _instance(self.server_id, P % "show")
        self._check_id()
        entry = common.services().compute.volume_attachment(
            common.context(), instance.uuid, self.volume_id)
        if not _shown([entry]):
            raise exception.VolumeAttachmentNotFound(
                attachment_id=self.volume_id)
        return common.reply({"volumeAttachment": view(instance.uuid,
                                                      entry)})

    @index.when(method="PUT", template="json")
    def update(self):
        schema = schemas_volumes.VOLUME_ATTACH_UPDATE if \
            common.at_least(85) else schemas_volumes.VOLUME_SWAP
        data = common.body(schema)["volumeAttachment"]
        compute = common.services().compute
        ctx = common.context()
        swap = data["volumeId"] != self.volume_id
        if not common.at_least(85) or swap:
            instance = _instance(self.server_id, P % "swap")
        else:
            instance = _instance(self.server_id, P % "update")
        if common.at_least(85):
            self._update_mapping(compute, ctx, instance, data)
        if not common.at_least(85) or swap:
            compute.swap_volume(ctx, instance.uuid, self.volume_id,
                                data["volumeId"])
        return common.reply(None, 202)

    def _update_mapping(self, compute, ctx, instance, data):
        """Nova's checks: only ``delete_on_termination`` may change; the
        other fields given must be what they are."""
        mapping = compute.volume_mapping(ctx, instance.uuid, self.volume_id)
        for key, current in (("id", self.volume_id),
                             ("serverId", instance.uuid),
                             ("device", mapping["device_name"]),
                             ("tag", mapping["tag"])):
            if key in data and data[key] != current:
                raise exception.Invalid(
                    message=f"The {key} property is not mutable")
        if "delete_on_termination" in data:
            compute.set_delete_on_termination(
                ctx, instance.uuid, self.volume_id,
                strutils.bool_from_string(data["delete_on_termination"],
                                          strict=True))

    @index.when(method="DELETE", template="json")
    def delete(self):
        instance = _instance(self.server_id, P % "delete")
        self._check_id()
        common.services().compute.detach_volume(
            common.context(), instance.uuid, self.volume_id,
            offloaded=common.at_least(20))
        return common.reply(None, 202)


class VolumeAttachmentsController:
    """/servers/{id}/os-volume_attachments."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        common.strict_query(strict.VOLUME_ATTACHMENTS)
        instance = _instance(self.server_id, P % "index")
        entries = _shown(common.services().compute.volume_attachments(
            common.context(), instance.uuid))
        limit = common.limit_param()
        offset = common.int_param("offset") or 0
        entries = entries[offset:offset + limit]
        return common.reply({"volumeAttachments": [
            view(instance.uuid, e) for e in entries]})

    @index.when(method="POST", template="json")
    def create(self):
        data = common.body(schemas_volumes.volume_attach(
            common.at_least))["volumeAttachment"]
        instance = _instance(self.server_id, P % "create")
        attachment = common.services().compute.attach_volume(
            common.context(), instance.uuid, data["volumeId"],
            device=data.get("device"), offloaded=common.at_least(20),
            tag=data.get("tag"), multiattach=common.at_least(60),
            delete_on_termination=strutils.bool_from_string(
                data.get("delete_on_termination", False), strict=True))
        return common.reply({"volumeAttachment": view(
            instance.uuid, dict(attachment, volume_id=data["volumeId"]),
            attach=True)})

    @pecan.expose("json")
    def _lookup(self, volume_id, *remainder):
        if remainder:
            pecan.abort(404)
        return VolumeAttachmentController(self.server_id, volume_id), ()
