"""/os-server-external-events (administrators by default): another
service tells a server's host about the server, e.g. that the volume of
its disk grew (``volume-extended``, from 2.51)."""

import pecan

from nimbus.api.openstack import common, schemas_events
from nimbus.core import exception

POLICY = "os_compute_api:os-server-external-events:create"


class ServerExternalEventsController:
    """POST /os-server-external-events."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("POST")

    @index.when(method="POST", template="json")
    def create(self):
        # The body first, then the rule, as Nova's schema decorator.
        schema = schemas_events.external_events(common.version()[1])
        events = [dict(e, status=e.get("status", "completed"))
                  for e in common.body(schema)["events"]]
        common.authorize(POLICY)
        answered = common.services().compute.external_instance_event(
            common.context(), events)
        if not any(e["code"] == 200 for e in answered):
            raise exception.NotFound(
                message="No instances found for any event")
        status = 200 if all(e["code"] == 200 for e in answered) else 207
        return common.reply({"events": answered}, status)
