"""/volume/v3/types: volume types, their extra specs and project access
(Cinder's ``types``, ``types_extra_specs`` and ``os-volume-type-access``).

Everybody lists and shows the types they may see; administrators create,
change and delete them. Extra specs are shown to administrators only
(``volume_extension:access_types_extra_specs``), as Cinder does.
"""

import pecan

from nimbus.api import http
from nimbus.api.volume import common, schemas
from nimbus.core import exception

TYPE = "volume_extension:type_%s"
SPECS = "volume_extension:types_extra_specs:%s"
ACCESS = "volume_extension:volume_type_access:%s"
SEE_SPECS = "volume_extension:access_types_extra_specs"


def _types():
    return common.volumes().types


def view(vtype):
    body = {"id": vtype["id"], "name": vtype["name"],
            "description": vtype["description"],
            "is_public": vtype["is_public"],
            "os-volume-type-access:is_public": vtype["is_public"],
            "qos_specs_id": None}
    if http.may(SEE_SPECS):
        body["extra_specs"] = vtype["extra_specs"]
    return body


def _is_public_filter():
    """Cinder's ``is_public`` for administrators: absent means public
    only, ``None`` (python-openstackclient's default) both, else the
    boolean. Others always get public and accessible private types."""
    if not http.context().is_admin:
        return None
    raw = pecan.request.GET.get("is_public")
    if raw is None:
        return True
    if raw.strip().lower() == "none":
        return None
    return common.query_bool("is_public")


class ExtraSpecController:
    """/types/{id}/extra_specs/{key}."""

    def __init__(self, type_id, key):
        self.type_id = type_id
        self.key = key

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        http.authorize(SPECS % "show")
        specs = _types().get_extra_specs(http.context(), self.type_id)
        if self.key not in specs:
            raise exception.VolumeTypeExtraSpecNotFound(
                volume_type_id=self.type_id, key=self.key)
        return http.reply({self.key: specs[self.key]})

    @index.when(method="PUT", template="json")
    def update(self):
        body = http.body(schemas.EXTRA_SPEC)
        http.authorize(SPECS % "update")
        if list(body) != [self.key]:
            raise exception.Invalid(reason="Request body and URI mismatch")
        specs = _types().set_extra_specs(http.context(), self.type_id, body)
        return http.reply(specs)

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize(SPECS % "delete")
        _types().delete_extra_spec(http.context(), self.type_id, self.key)
        return http.reply(None, 202)


class ExtraSpecsController:
    """/types/{id}/extra_specs."""

    def __init__(self, type_id):
        self.type_id = type_id

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize(SPECS % "index")
        return http.reply({"extra_specs": _types().get_extra_specs(
            http.context(), self.type_id)})

    @index.when(method="POST", template="json")
    def create(self):
        body = http.body(schemas.EXTRA_SPECS)
        http.authorize(SPECS % "create")
        specs = _types().set_extra_specs(http.context(), self.type_id,
                                         body["extra_specs"])
        return http.reply({"extra_specs": specs})

    @pecan.expose("json")
    def _lookup(self, key, *remainder):
        if remainder:
            pecan.abort(404)
        return ExtraSpecController(self.type_id, key), remainder


class AccessController:
    """/types/{id}/os-volume-type-access (administrators)."""

    def __init__(self, type_id):
        self.type_id = type_id

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        http.authorize(ACCESS % "get_all_for_type")
        return http.reply({"volume_type_access": _types().list_access(
            http.context(), self.type_id)})


class ActionController:
    """/types/{id}/action: addProjectAccess, removeProjectAccess."""

    def __init__(self, type_id):
        self.type_id = type_id

    @pecan.expose("json")
    def index(self):
        http.allow("POST")
        (name, args), = http.body(schemas.TYPE_ACTION).items()
        http.authorize(ACCESS % name)
        if name == "addProjectAccess":
            _types().add_access(http.context(), self.type_id,
                                args["project"])
        else:
            _types().remove_access(http.context(), self.type_id,
                                   args["project"])
        return http.reply(None, 202)


class TypeController:
    """/types/{id}."""

    def __init__(self, type_id):
        self.type_id = type_id
        self.extra_specs = ExtraSpecsController(type_id)
        self.action = ActionController(type_id)
        setattr(self, "os-volume-type-access", AccessController(type_id))

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        http.authorize(TYPE % "get")
        return http.reply({"volume_type": view(
            _types().get_type(http.context(), self.type_id))})

    @index.when(method="PUT", template="json")
    def update(self):
        data = http.body(schemas.TYPE_UPDATE)["volume_type"]
        http.authorize(TYPE % "update")
        is_public = data.get("is_public")
        vtype = _types().update_type(
            http.context(), self.type_id, name=data.get("name"),
            description=data.get("description"),
            is_public=None if is_public is None else
            schemas.boolean(is_public))
        return http.reply({"volume_type": view(vtype)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize(TYPE % "delete")
        _types().delete_type(http.context(), self.type_id)
        return http.reply(None, 202)


class TypesController:
    """/volume/v3/types."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize(TYPE % "get_all")
        records = _types().list_types(http.context(),
                                      is_public=_is_public_filter())
        return http.reply({"volume_types": [view(t) for t in records]})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(schemas.TYPE_CREATE)["volume_type"]
        http.authorize(TYPE % "create")
        public = data.get("os-volume-type-access:is_public")
        if public is None:
            public = data.get("is_public")
        vtype = _types().create_type(
            http.context(), data["name"], data.get("description"),
            True if public is None else schemas.boolean(public),
            data.get("extra_specs") or {})
        return http.reply({"volume_type": view(vtype)})

    @pecan.expose("json")
    def _lookup(self, type_id, *remainder):
        if remainder and remainder[0] not in (
                "extra_specs", "action", "os-volume-type-access"):
            pecan.abort(404)
        return TypeController(type_id), remainder
