"""The request spec: what the scheduler is asked to place.

A plain JSON-serialisable ``dict`` built by the API and carried through
conductor and compute::

    {
      "project_id": str, "user_id": str,
      "num_instances": int,
      "flavor": {"flavorid", "name", "vcpus", "memory_mb", "root_gb",
                 "ephemeral_gb", "swap", "extra_specs": {}},
      "image": {"id": str, "properties": {}},
      "availability_zone": str | None,
      "scheduler_hints": {},           # same_host, different_host, query
      "group": None | {                # the server group (hint "group")
          "uuid": str, "policy": str, "rules": {},
          "hosts": [host, ...],        # filled in by the scheduler
      },
      "tried_hosts": [host, ...],      # hosts that already failed
      "requested_hosts": [host, ...],  # restrict to these (reschedule)
      "attempts": int,
    }

``group.hosts`` repeats a host once per member there, so anti-affinity's
``max_server_per_host`` can count.
"""


def build(context, flavor, image, num_instances, availability_zone=None,
          scheduler_hints=None, group=None):
    """Return a request spec ``dict`` for a boot request."""
    return {
        "project_id": context.project_id,
        "user_id": context.user_id,
        "num_instances": num_instances,
        "flavor": {
            "flavorid": flavor.flavorid, "name": flavor.name,
            "vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb,
            "root_gb": flavor.root_gb, "ephemeral_gb": flavor.ephemeral_gb,
            "swap": flavor.swap, "extra_specs": dict(flavor.extra_specs),
        },
        "image": {"id": image["id"],
                  "properties": dict(image.get("properties") or {})},
        "availability_zone": availability_zone,
        "scheduler_hints": dict(scheduler_hints or {}),
        "group": group,
        "tried_hosts": [],
        "attempts": 1,
    }


def disk_gb(spec):
    """Local disk an instance of ``spec`` needs (root + ephemeral + swap)."""
    flavor = spec["flavor"]
    swap_gb = ((flavor.get("swap") or 0) + 1023) // 1024
    return flavor["root_gb"] + flavor["ephemeral_gb"] + swap_gb


def hint_list(spec, name):
    """Return hint ``name`` as a list of strings (hints may be a string
    or a list)."""
    value = (spec.get("scheduler_hints") or {}).get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def group_policy(spec):
    group = spec.get("group")
    return group["policy"] if group else None
