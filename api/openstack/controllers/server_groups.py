"""/os-server-groups: placement policies over sets of servers."""

import pecan

from nimbus.api.openstack import common, schemas
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.core import exception

G = "os_compute_api:os-server-groups:%s"


def _compute():
    return common.services().compute


def view(group):
    """Nova's shape for the request's microversion: ``policies`` and
    ``metadata`` to 2.63, ``project_id``/``user_id`` from 2.13,
    ``policy`` and ``rules`` from 2.64."""
    body = {"id": group.uuid, "name": group.name,
            "members": list(group.members)}
    if common.at_least(64):
        body.update(policy=group.policy, rules=dict(group.rules))
    else:
        body.update(policies=[group.policy], metadata={})
    if common.at_least(13):
        body.update(project_id=group.project_id, user_id=group.user_id)
    return body


class ServerGroupController:
    """/os-server-groups/{id}: show and delete."""

    def __init__(self, group_id):
        self.group_id = group_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "DELETE")
        group = _compute().get_server_group(common.context(), self.group_id)
        common.authorize(G % "show", {"project_id": group.project_id})
        return common.reply({"server_group": view(group)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        group = _compute().get_server_group(common.context(), self.group_id)
        common.authorize(G % "delete", {"project_id": group.project_id})
        _compute().delete_server_group(common.context(), self.group_id)
        return common.reply(None, 204)


class ServerGroupsController:
    """/os-server-groups: list and create."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        common.strict_query(strict.SERVER_GROUPS)
        all_projects = pecan.request.GET.get("all_projects", "").lower() \
            in ("1", "true", "yes")
        common.authorize(G % "index")
        if all_projects:
            common.authorize(G % "index:all_projects")
        groups = _compute().list_server_groups(common.context(),
                                               all_projects)
        offset = common.int_param("offset") or 0
        limit = common.int_param("limit")
        groups = groups[offset:offset + limit if limit is not None
                        else None]
        return common.reply({"server_groups": [view(g) for g in groups]})

    @index.when(method="POST", template="json")
    def create(self):
        data = common.body(schemas.server_group_create(
            soft=common.at_least(15),
            policy_and_rules=common.at_least(64)))["server_group"]
        common.authorize(G % "create")
        policy = data.get("policy") or data["policies"][0]
        rules = {k: int(v) for k, v in (data.get("rules") or {}).items()}
        if rules and policy != "anti-affinity":
            raise exception.Invalid(
                message="Only anti-affinity policy supports rules.")
        group = _compute().create_server_group(common.context(),
                                               data["name"], policy, rules)
        return common.reply({"server_group": view(group)})

    @pecan.expose("json")
    def _lookup(self, group_id, *remainder):
        return ServerGroupController(group_id), remainder
