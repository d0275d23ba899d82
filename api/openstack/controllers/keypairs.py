"""/os-keypairs (type from 2.2, other users' keys from 2.10)."""

import pecan

from nimbus.api.openstack import common, schemas_tenant
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.core import exception

K = "os_compute_api:os-keypairs:%s"


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def view(record, full=False):
    body = {"name": record["name"], "public_key": record["public_key"],
            "fingerprint": record["fingerprint"]}
    if common.at_least(2):
        body["type"] = record["type"]
    if full:
        body.update({"user_id": record["user_id"], "id": record["id"],
                     "created_at": _time(record["created_at"]),
                     "updated_at": _time(record["updated_at"]),
                     "deleted": False, "deleted_at": None})
    return body


def _user_id(from_body=None):
    """The key owner: the caller, or (admin, 2.10+) another user."""
    ctx = common.context()
    asked = from_body or pecan.request.GET.get("user_id")
    if asked and common.at_least(10):
        return asked
    return ctx.user_id


def _authorize(rule, user_id):
    common.authorize(K % rule, {"user_id": user_id,
                                "project_id": common.context().project_id})


class KeypairController:
    """/os-keypairs/{name}."""

    def __init__(self, name):
        self.name = name

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "DELETE")
        common.strict_query(strict.KEYPAIR)
        user_id = _user_id()
        _authorize("show", user_id)
        record = common.services().keypairs.get(common.context(), user_id,
                                                self.name)
        return common.reply({"keypair": view(record, full=True)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.strict_query(strict.KEYPAIR)
        user_id = _user_id()
        _authorize("delete", user_id)
        common.services().keypairs.delete(common.context(), user_id,
                                          self.name)
        return common.reply(None, 204 if common.at_least(2) else 202)


class KeypairsController:
    """/os-keypairs."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        common.strict_query(strict.KEYPAIRS)
        user_id = _user_id()
        _authorize("index", user_id)
        if not common.at_least(35):
            records = common.services().keypairs.list(common.context(),
                                                      user_id)
            return common.reply({"keypairs": [{"keypair": view(r)}
                                              for r in records]})
        # 2.35: pages by key name, a bad marker is a 400 (Nova's).
        limit = common.limit_param()
        records = common.services().keypairs.list(
            common.context(), user_id, limit=limit,
            marker=pecan.request.GET.get("marker"))
        body = {"keypairs": [{"keypair": view(r)} for r in records]}
        links = common.next_link("os-keypairs", records, limit,
                                 id_key="name")
        if links:
            body["keypairs_links"] = links
        return common.reply(body)

    @index.when(method="POST", template="json")
    def create(self):
        data = common.body(schemas_tenant.keypair_create())["keypair"]
        user_id = _user_id(data.get("user_id"))
        _authorize("create", user_id)
        record = common.services().keypairs.create(
            common.context(), user_id, data["name"],
            public_key=data.get("public_key"),
            key_type=data.get("type", "ssh"))
        body = view(record)
        body["user_id"] = record["user_id"]
        if "private_key" in record:
            body["private_key"] = record["private_key"]
        return common.reply({"keypair": body},
                            201 if common.at_least(2) else 200)

    @pecan.expose("json")
    def _lookup(self, name, *remainder):
        if remainder:
            raise exception.NotFound()
        return KeypairController(name), remainder
