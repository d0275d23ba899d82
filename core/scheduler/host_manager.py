"""Host states from the database: compute nodes joined with services."""

from nimbus.core import servicegroup
from nimbus.core.objects.base import db
from nimbus.core.scheduler.host_state import HostState
from nimbus.core.scheduler.selector import GenerationConflict

COMPUTE_BINARY = "nimbus-compute"


class HostManager:
    """Reads host states; :meth:`refresh` re-reads one stale host."""

    def __init__(self, conf):
        self.conf = conf

    def get_host_states(self, context):
        services = {s["host"]: s for s in
                    db().services.get_all(context, binary=COMPUTE_BINARY)}
        states = []
        for node in db().compute_nodes.get_all(context):
            service = services.get(node["host"])
            states.append(HostState.from_node(
                node,
                service_up=bool(service) and servicegroup.is_up(
                    self.conf, service),
                service_disabled=bool(service and service["disabled"])))
        return states

    def refresh(self, context, host_state):
        node = db().compute_nodes.get(context, host_state.node_id)
        fresh = HostState.from_node(node, host_state.service_up,
                                    host_state.service_disabled)
        host_state.__dict__.update(fresh.__dict__)


class DatabaseClaimer:
    """Claims resources with one guarded transaction per claim."""

    def __init__(self, context):
        self.context = context

    def claim(self, host_state, consumer_uuid, spec):
        vcpus, memory_mb, disk_gb = host_state.needs(spec)
        try:
            db().compute_nodes.claim(
                self.context, host_state.node_id, host_state.generation,
                consumer_uuid, vcpus, memory_mb, disk_gb)
        except db().compute_nodes.GenerationConflict:
            raise GenerationConflict(host_state.host)

    def release(self, consumer_uuid):
        db().compute_nodes.release(self.context, consumer_uuid)
