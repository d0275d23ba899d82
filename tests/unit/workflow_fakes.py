"""Shared builders for the workflow unit tests (compute manager, compute
API, power sync, conductor tasks).

Each test drives one class over the fake hypervisor, the fake image store,
``unittest.mock`` RPC clients and a tmp-file SQLite database (the ``db_api``
fixture), and asserts what it left behind: rows, faults, allocations,
guests and casts.

Request specs (:class:`~nimbus.core.interfaces.request_spec.RequestSpec`)
are built only by :func:`make_spec` and read only through
:func:`spec_value`, and power states come from here, so a change of
either changes this module alone.
"""

import contextlib
import itertools
from unittest import mock

from oslo_utils import timeutils, uuidutils

from nimbus.core import context as nimbus_context
from nimbus.core.compute import task_states, vm_states
from nimbus.core.db import api as db
from nimbus.core.interfaces import power_state
from nimbus.core.interfaces.request_spec import RequestSpec
from nimbus.core.objects import instance as instance_obj

HOST = "fake-1"
OTHER_HOST = "fake-2"
PROJECT = "p1"
USER = "u1"

_FLAVOR = {"flavorid": "1", "name": "m1.tiny", "vcpus": 1,
           "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 0, "swap": 0,
           "extra_specs": {}}
_NODE_IDS = itertools.count(1)


# -- contexts ---------------------------------------------------------------

def user_context(project_id=PROJECT, user_id=USER, is_admin=False):
    """A request context with its own request id (the one actions and
    their events are recorded under)."""
    roles = ["admin"] if is_admin else ["member"]
    return nimbus_context.RequestContext(
        user_id=user_id, project_id=project_id, is_admin=is_admin,
        roles=roles, overwrite=False)


def admin():
    return nimbus_context.get_admin_context()


# -- request specs ----------------------------------------------------------

class _Flavor:
    """What ``RequestSpec.for_boot`` reads of a Flavor object."""

    def __init__(self, values):
        self.__dict__.update(values)


def make_spec(context=None, num_instances=1, **overrides):
    """Return the request spec of a boot of ``m1.tiny`` with no image
    properties, as the compute API would send it; ``overrides`` replace
    fields (``attempts``, ``tried_hosts``, ...)."""
    spec = RequestSpec.for_boot(context or user_context(), _Flavor(_FLAVOR),
                                {"id": "image-1"}, num_instances)
    for name, value in overrides.items():
        setattr(spec, name, value)
    return spec


def spec_value(spec, name, default=None):
    """Read field ``name`` of a request spec (``default`` when unset)."""
    return getattr(spec, name, default)


# -- database rows ----------------------------------------------------------

def create_instance(context=None, host=HOST, vm_state=vm_states.BUILDING,
                    task_state=task_states.SCHEDULING,
                    power=power_state.NOSTATE, action="create", **values):
    """Record an instance (and its ``action`` under the context's request
    id, as the API does); return it as an ``Instance`` object.

    ``host`` None is an instance conductor has not placed yet.
    """
    context = context or user_context()
    uuid = uuidutils.generate_uuid()
    row = {"uuid": uuid, "display_name": f"vm-{uuid[:8]}",
           "project_id": context.project_id or PROJECT,
           "user_id": context.user_id or USER, "host": host, "node": host,
           "vm_state": vm_state, "task_state": task_state,
           "power_state": power, "vcpus": 1, "memory_mb": 512,
           "root_gb": 1}
    row.update(values)
    first = None if action is None else {
        "action": action, "request_id": context.request_id,
        "user_id": context.user_id, "project_id": context.project_id}
    created = db.instances.create(context, row, first)
    return instance_obj.Instance.from_row(context, created)


def load(uuid):
    """Return the instance row, deleted or not."""
    return db.instances.get(admin(), uuid, read_deleted=True)


def fault(uuid):
    """Return the newest fault of the instance, or None."""
    return db.actions.faults_latest(admin(), [uuid]).get(uuid)


@contextlib.contextmanager
def errors_explained():
    """Yield ``{uuid: bool}``: at each write putting an instance in ERROR,
    whether its fault was already recorded (clients that see the ERROR
    must find the reason with it)."""
    seen = {}
    update = db.instances.update_instance

    def checking_update(context, uuid, values, **kwargs):
        if values.get("vm_state") == vm_states.ERROR:
            seen[uuid] = fault(uuid) is not None
        return update(context, uuid, values, **kwargs)

    with mock.patch.object(db.instances, "update_instance",
                           checking_update):
        yield seen


def events(uuid):
    """Return ``[(action, event, result)]`` of the instance, oldest
    action first."""
    actions = reversed(db.actions.actions_for(admin(), uuid))
    return [(a["action"], e["event"], e["result"])
            for a in actions for e in a["events"]]


def report_node(host=HOST, vcpus=8, memory_mb=8192, local_gb=100,
                capabilities=None):
    """Report a compute node for ``host``; return its row."""
    values = {"hypervisor_type": "fake", "hypervisor_version": 1,
              "vcpus": vcpus, "memory_mb": memory_mb, "local_gb": local_gb}
    if capabilities is not None:
        values["capabilities"] = capabilities
    return db.compute_nodes.report_inventory(admin(), host, host, values)


def claim(uuid, host=HOST):
    """Claim 1 vCPU, 512 MiB and 1 GB on ``host`` for ``uuid``, as the
    scheduler does (reporting the node first if needed)."""
    nodes = db.compute_nodes.get_all(admin(), host=host) or \
        [report_node(host)]
    node = nodes[0]
    db.compute_nodes.claim(admin(), node["id"], node["generation"], uuid,
                           1, 512, 1)


def allocation_hosts(uuid):
    """Return the hosts ``uuid`` holds allocations on."""
    by_id = {n["id"]: n["host"]
             for n in db.compute_nodes.get_all(admin())}
    return sorted(by_id[a["compute_node_id"]]
                  for a in db.compute_nodes.allocations_for(admin(), uuid))


def service_up(host=HOST, up=True):
    """Record the compute service of ``host``, seen now or long ago."""
    seen = timeutils.utcnow()
    if not up:
        seen = seen.replace(year=seen.year - 1)
    db.services.create(admin(), {"host": host, "binary": "nimbus-compute",
                                 "topic": "compute", "last_seen_up": seen})


def selection(host):
    """A scheduler selection ``dict`` for ``host``."""
    return {"host": host, "nodename": host,
            "compute_node_uuid": f"node-{host}-{next(_NODE_IDS)}"}
