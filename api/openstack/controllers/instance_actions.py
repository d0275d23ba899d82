"""/servers/{id}/os-instance-actions[/{request_id}]: the actions taken
on a server and, for one action, its events."""

import pecan

from nimbus.api.openstack import common, schemas_paging
from nimbus.api.openstack.views import instance_actions as view

A = "os_compute_api:os-instance-actions:%s"


def _page():
    """2.58's ``limit``, ``marker`` and ``changes-since``, 2.66's
    ``changes-before`` (an unknown parameter, a malformed time or
    number, a window that ends before it starts is a 400); ``{}``
    below."""
    if not common.at_least(58):
        return {}
    before = common.at_least(66)
    params = common.query(
        schemas_paging.INSTANCE_ACTIONS_QUERY_V266 if before
        else schemas_paging.INSTANCE_ACTIONS_QUERY_V258)
    page = {"limit": common.limit_param(), "marker": params.get("marker")}
    since, until = common.changes_window(params, before)
    if since is not None:
        page["changes_since"] = since
    if until is not None:
        page["changes_before"] = until
    return page


class InstanceActionsController:
    """/servers/{id}/os-instance-actions[/{request_id}]."""

    def __init__(self, server_id):
        self.server_id = server_id

    def _instance(self, rule):
        """The server, deleted ones too from 2.21 (Nova's rule)."""
        instance = common.services().compute.get(
            common.context(), self.server_id,
            read_deleted=common.at_least(21))
        common.authorize(rule, {"project_id": instance.project_id,
                                "user_id": instance.user_id})
        return instance

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        page = _page()
        self._instance(A % "list")
        actions = common.services().compute.instance_actions(
            common.context(), self.server_id,
            read_deleted=common.at_least(21), **page)
        body = {"instanceActions": [view.action(a) for a in actions]}
        links = common.next_link(
            f"servers/{self.server_id}/os-instance-actions",
            body["instanceActions"], page.get("limit"),
            id_key="request_id")
        if links:
            body["links"] = links
        return common.reply(body)

    @pecan.expose("json")
    def _lookup(self, request_id, *remainder):
        if remainder:
            pecan.abort(404)
        common.allow("GET")
        instance = self._instance(A % "show")
        action = common.services().compute.instance_action(
            common.context(), self.server_id, request_id,
            read_deleted=common.at_least(21))
        body = view.action(action)
        # Nova's: everything for those the events policy lets see it;
        # from 2.51 the events without traceback (and host) for others.
        target = {"project_id": instance.project_id}
        details = common.may(A % "events", target)
        if details or common.at_least(51):
            project_id = action["project_id"] or instance.project_id
            # 2.84: why a failed event failed, for those the
            # events:details policy lets see it (the owner, by default).
            why = common.at_least(84) and common.may(
                A % "events:details", target)
            body["events"] = [view.event(e, project_id, details, why)
                              for e in action["events"]]
        return common.Fixed({"instanceAction": body}), ()
