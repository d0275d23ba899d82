"""/v2/images/{id}/tags, /members, /import and /v2/info: the Image v2
calls that change who sees an image and how it is described.

Policy as Glance's: the owner (or an admin) edits an image, its tags
and its member list; a member sets only its own status; a member lists
and shows only its own membership.
"""

import pecan

from nimbus.api import http
from nimbus.api.image import views
from nimbus.core import exception

I = "image:%s"  # noqa: E741

MEMBER_CREATE = {
    "type": "object", "required": ["member"],
    "properties": {"member": {"type": "string", "minLength": 1,
                              "maxLength": 255}},
    "additionalProperties": False,
}
MEMBER_UPDATE = {
    "type": "object", "required": ["status"],
    "properties": {"status": {"enum": ["pending", "accepted",
                                       "rejected"]}},
    # openstacksdk sends the member id ("member") along; Glance reads
    # only the status.
}
IMPORT = {
    "type": "object", "required": ["method"],
    "properties": {"method": {"type": "object", "required": ["name"],
                              "properties": {"name": {"type": "string"}}}},
}


def store():
    return http.services().images


def owner_target(image):
    return {"project_id": image.get("owner") or ""}


class TagController:
    """/v2/images/{id}/tags/{tag}: PUT adds, DELETE removes (204)."""

    def __init__(self, image_id):
        self.image_id = image_id

    @pecan.expose(generic=True)
    def index(self, tag=None):
        pecan.abort(405, headers={"Allow": "PUT, DELETE"})

    def _change(self, tag, add):
        context = http.context()
        image = store().get(context, self.image_id)
        http.authorize(I % "modify_image", owner_target(image))
        tags = set(image.get("tags") or [])
        if add:
            if len(tag) > 255:
                raise exception.Invalid(reason="Tags are at most 255 "
                                               "characters long.")
            tags.add(tag)
        elif tag not in tags:
            raise exception.NotFound()
        else:
            tags.discard(tag)
        store().update(context, self.image_id, {"tags": sorted(tags)})
        return http.reply(None, 204)

    @pecan.expose()
    def _lookup(self, tag, *remainder):
        if remainder:
            pecan.abort(404)
        method = pecan.request.method
        if method not in ("PUT", "DELETE"):
            pecan.abort(405, headers={"Allow": "PUT, DELETE"})
        return _Done(self._change(tag, method == "PUT")), ()


class _Done:
    """A finished response handed back through pecan's lookup."""

    def __init__(self, response):
        self.response = response

    @pecan.expose()
    def index(self, *args, **kwargs):
        return self.response


class MemberController:
    """/v2/images/{id}/members/{member}."""

    def __init__(self, image_id, member_id):
        self.image_id = image_id
        self.member_id = member_id

    def _image(self):
        image = store().get(http.context(), self.image_id)
        if image["visibility"] != "shared":
            raise exception.ImageForbidden(
                reason="Only shared images have members.")
        return image

    def _own_or_owner(self, image):
        context = http.context()
        if not context.is_admin and image.get("owner") != \
                context.project_id and self.member_id != context.project_id:
            raise exception.ImageMemberNotFound(image_id=self.image_id,
                                                member_id=self.member_id)

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        http.authorize(I % "get_member")
        image = self._image()
        self._own_or_owner(image)
        return http.reply(views.member(store().get_member(
            http.context(), self.image_id, self.member_id)))

    @index.when(method="PUT", template="json")
    def update(self):
        data = http.body(MEMBER_UPDATE)
        image = self._image()
        self._own_or_owner(image)
        http.authorize(I % "modify_member", {"member_id": self.member_id})
        member = store().update_member(http.context(), self.image_id,
                                       self.member_id, data["status"])
        return http.reply(views.member(member))

    @index.when(method="DELETE", template="json")
    def delete(self):
        image = self._image()
        http.authorize(I % "delete_member", owner_target(image))
        store().delete_member(http.context(), self.image_id, self.member_id)
        return http.reply(None, 204)


class MembersController:
    """/v2/images/{id}/members."""

    def __init__(self, image_id):
        self.image_id = image_id

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize(I % "get_members")
        context = http.context()
        image = MemberController(self.image_id, None)._image()
        members = store().list_members(context, self.image_id)
        if not context.is_admin and image.get("owner") != context.project_id:
            members = [m for m in members
                       if m["member_id"] == context.project_id]
        return http.reply({"members": [views.member(m) for m in members],
                           "schema": "/v2/schemas/members"})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(MEMBER_CREATE)
        image = store().get(http.context(), self.image_id)
        http.authorize(I % "add_member", owner_target(image))
        member = store().add_member(http.context(), self.image_id,
                                    data["member"])
        return http.reply(views.member(member))

    @pecan.expose()
    def _lookup(self, member_id, *remainder):
        if remainder:
            pecan.abort(404)
        return MemberController(self.image_id, member_id), remainder


class ImportController:
    """/v2/images/{id}/import: no import method is enabled here."""

    def __init__(self, image_id):
        self.image_id = image_id

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("POST")

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(IMPORT)
        image = store().get(http.context(), self.image_id)
        http.authorize(I % "upload_image", owner_target(image))
        raise exception.Invalid(
            reason=f"Import method {data['method']['name']} is not valid "
                   "for this cloud. Valid values are: (none: upload the "
                   "data with PUT /v2/images/{id}/file)")


class InfoController:
    """/v2/info/import and /v2/info/stores (what clients ask first)."""

    @pecan.expose("json", route="import")
    def import_(self):
        http.allow("GET")
        return http.reply({"import-methods": {
            "description": "Import methods available.",
            "type": "array", "value": []}})

    @pecan.expose("json")
    def stores(self):
        http.allow("GET")
        backend = pecan.request.context["conf"].images.backend
        return http.reply({"stores": [{
            "id": backend, "description": f"nimbus {backend} image store",
            "default": True}]})
