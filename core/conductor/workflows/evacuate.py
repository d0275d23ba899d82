"""Evacuate: rebuild a server of a host that is down on another host.

A :class:`~nimbus.core.conductor.workflows.base.MoveTask` with a
migration record of type ``evacuation``: the record takes the source's
claim, the scheduler claims a target (never the source), the server is
placed there (its ports follow, so its addresses stay) and the source's
claim is released with the record's move to ``done`` (its guest died
with its host; the returning host destroys it at start, seeing the
server's ``evacuated_from``). Then the target's compute rebuilds the
guest from the server's image with its volumes. A failure before that
rolls back: target claim released, source claim back to the server,
record ``error``, the server's state restored with a fault. The server
ends in the state it had (ACTIVE or STOPPED; ACTIVE from ERROR), or in
``target_state`` (``stopped``, Compute API 2.95) unless it was in ERROR.
"""

from nimbus.core.compute import task_states
from nimbus.core.conductor.workflows import base


def flavor_of(instance):
    """The flavor ``dict`` of the values the server was built with."""
    return {"id": None, "flavorid": instance.flavor_id or "",
            "name": instance.flavor_name or "", "vcpus": instance.vcpus,
            "memory_mb": instance.memory_mb, "root_gb": instance.root_gb,
            "ephemeral_gb": instance.ephemeral_gb, "swap": instance.swap,
            "extra_specs": dict(instance.extra_specs)}


class EvacuateTask(base.MoveTask):
    """See the module docstring.

    :param image_ref: the image to rebuild from (the server's own).
    :param target_host: the host an admin asked for, or None.
    :param target_state: the vm_state to end in, or None.
    """

    event = "conductor_rebuild_server"
    migration_type = "evacuation"

    def __init__(self, manager, context, instance, image_ref,
                 target_host=None, target_state=None):
        super().__init__(manager, context, instance)
        self.image_ref = image_ref
        self.target_host = target_host
        self.target_state = target_state
        self.source = instance.host

    def _execute(self):
        flavor = flavor_of(self.instance)
        self.create_migration(flavor, flavor, "accepted")
        spec = self.request_spec(
            flavor, ignore_hosts=[self.source],
            requested_hosts=[self.target_host] if self.target_host else ())
        selection = self.claim_target(spec)
        host = selection["host"]
        self.set_status("pre-migrating", ("accepted",), dest_compute=host,
                        dest_node=selection["nodename"], dest_host=host)
        self.place_on(host)
        sysmeta = dict(self.instance.system_metadata,
                       evacuated_from=self.source)
        self.set_task_state(task_states.REBUILDING,
                            (task_states.REBUILDING,), host=host,
                            node=selection["nodename"],
                            system_metadata=sysmeta)
        db = self.manager.db
        ports = db.ports.get_all(self.context,
                                 instance_uuid=self.instance.uuid)
        for port in ports:
            db.ports.update_port(self.context, port["uuid"], {"host": host})
        self.release_source("done", ("pre-migrating",))
        self.manager.compute.rebuild_instance(
            self.context, self.instance, self.image_ref, host=host,
            evacuate=True, with_network=bool(ports),
            target_state=self.target_state)

    def rollback_hosts(self, err):
        """Nothing ran on a host yet; the placement goes back."""
        if self.instance.host != self.source:
            self.instance.refresh()
            self.instance.host = self.source
            self.place_on(self.source)
            self.instance.save()
