"""/servers/{id}/os-volume_attachments: list, show, attach, detach
(Nova's bodies up to 2.11: ``id``, ``serverId``, ``volumeId``,
``device``); from 2.20 also of shelved-offloaded servers; from 2.60
multiattach volumes (below it they are a 400, as Nova)."""

import pecan
from oslo_utils import uuidutils

from nimbus.api.openstack import common, schemas_volumes
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.core import exception

P = "os_compute_api:os-volumes-attachments:%s"


def _instance(server_id, rule):
    from nimbus.api.openstack.controllers import servers
    return servers.get_authorized(server_id, rule)


def view(server_id, entry):
    return {"id": entry["volume_id"], "serverId": server_id,
            "volumeId": entry["volume_id"], "device": entry.get("device")}


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
        common.allow("GET", "DELETE")
        instance = _instance(self.server_id, P % "show")
        self._check_id()
        entry = common.services().compute.volume_attachment(
            common.context(), instance.uuid, self.volume_id)
        return common.reply({"volumeAttachment": view(instance.uuid,
                                                      entry)})

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
        entries = common.services().compute.volume_attachments(
            common.context(), instance.uuid)
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
            tagged="tag" in data, multiattach=common.at_least(60))
        return common.reply({"volumeAttachment": attachment})

    @pecan.expose("json")
    def _lookup(self, volume_id, *remainder):
        if remainder:
            pecan.abort(404)
        return VolumeAttachmentController(self.server_id, volume_id), ()
