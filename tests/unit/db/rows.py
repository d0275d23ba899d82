"""Rows the database guard tests start from."""

import uuid

from nimbus.core.db import api as db_api


def instance(ctx, **values):
    """A new active instance of project ``p`` (``values`` override)."""
    row = {"uuid": str(uuid.uuid4()), "project_id": "p", "user_id": "u",
           "vm_state": "active", "task_state": None}
    row.update(values)
    return db_api.instances.create(ctx, row)


def node(ctx, host="h1"):
    """Compute node ``host`` with 4 vCPUs, 4 GiB and 100 GB."""
    return db_api.compute_nodes.report_inventory(ctx, host, host, {
        "hypervisor_type": "fake", "hypervisor_version": 1, "vcpus": 4,
        "memory_mb": 4096, "local_gb": 100})
