"""Fake host states and request specs for scheduler unit tests."""

import itertools

from nimbus.core.interfaces import request_spec as rs
from nimbus.core.scheduler.host_state import HostState

_IDS = itertools.count(1)


def host(name="h1", **kw):
    """A HostState with 16 vCPUs, 32 GiB, 500 GB unless told."""
    node_id = next(_IDS)
    values = dict(host=name, nodename=name, uuid=f"uuid-{name}-{node_id}",
                  node_id=node_id, generation=0, hypervisor_type="fake",
                  vcpus=16, memory_mb=32768, local_gb=500)
    aggregates = kw.pop("aggregates", None)
    values.update(kw)
    state = HostState(**values)
    if aggregates is not None:
        state.aggregates = [{"name": f"agg{i}", "availability_zone":
                             meta.get("availability_zone"),
                             "metadata": meta}
                            for i, meta in enumerate(aggregates)]
    return state


def spec(vcpus=1, memory_mb=512, root_gb=1, extra_specs=None,
         image_properties=None, hints=None, group=None, az=None,
         project_id="p1"):
    """A RequestSpec for one instance of a small flavor."""
    return rs.RequestSpec(
        project_id=project_id, user_id="u1", num_instances=1,
        flavor={"flavorid": "1", "name": "small", "vcpus": vcpus,
                "memory_mb": memory_mb, "root_gb": root_gb,
                "extra_specs": dict(extra_specs or {})},
        image={"id": "img", "properties": dict(image_properties or {})},
        availability_zone=az, scheduler_hints=dict(hints or {}),
        group=group)


def group(policy, hosts=(), **rules):
    return {"uuid": "g1", "policy": policy, "rules": rules,
            "hosts": list(hosts)}
