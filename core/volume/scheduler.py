"""The volume scheduler step: which volume host gets a new volume.

The compute scheduler's filters and weighers work on compute host states
and instance request specs, which a volume request has neither of, so the
volume step is its own small filter + weigher over the capacity reports
of nimbus-volume (the ``volume_hosts`` rows), run inside the volume API
(no extra service and no extra RPC hop):

**Filters** (a host must pass all):

* *alive*: its nimbus-volume service is up and not disabled;
* *zone*: its ``storage_availability_zone`` is the requested zone (any
  zone when none is requested);
* *capability*: its driver declares what the request needs (snapshots,
  clone, image copy);
* *backend*: the volume type's ``volume_backend_name`` extra spec, when
  it has one, is the host's reported backend name (``[volume]
  volume_backend_name``, by default the driver's name);
* *capacity*: the request fits in its usable space::

      usable = total * (1 - reserved_percentage / 100)
      thick:  min(free reported, usable - allocated) >= size
      thin:   usable * max_over_subscription_ratio - allocated >= size

  where ``allocated`` is counted from the database at decision time (the
  sizes of the host's live volumes and snapshots), so volumes placed
  since the host's last report count.

**Weigher**: the most space left after placing wins (Cinder's capacity
weigher); ties go to the host name, so the choice is deterministic.
"""

from nimbus.core import exception, servicegroup

BINARY = "nimbus-volume"


class CapacityScheduler:
    """Filter + weigh volume hosts by their reported capacity.

    :param conf: the configuration (``[volume]`` ratios).
    :param db: the database API.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def hosts(self, context):
        """Every reported volume host with ``alive`` and ``room_gb`` (the
        space left for new volumes)."""
        services = {s["host"]: s for s in self.db.services.get_all(
            context, binary=BINARY)}
        hosts = []
        for row in self.db.volumes.get_hosts(context):
            service = services.get(row["host"])
            row["alive"] = service is not None and not service["disabled"] \
                and servicegroup.is_up(self.conf, service)
            row["room_gb"] = self._room(row)
            hosts.append(row)
        return hosts

    def _room(self, row):
        usable = row["total_gb"] * (
            1 - self.conf.volume.reserved_percentage / 100.0)
        if row["capabilities"].get("thin_provisioning"):
            return usable * self.conf.volume.max_over_subscription_ratio - \
                row["allocated_gb"]
        return min(row["free_gb"], usable - row["allocated_gb"])

    def select(self, context, size, availability_zone=None,
               capability=None, backend_name=None):
        """Return the chosen host's row.

        :param backend_name: only hosts reporting this backend name.

        :raises NoValidHost: no host passes, with the reasons counted.
        """
        hosts = self.hosts(context)
        removed = []

        def keep(reason, kept):
            gone = len(candidates) - len(kept)
            if gone:
                removed.append(f"{gone} {reason}")
            return kept

        candidates = hosts
        candidates = keep("down", [h for h in candidates if h["alive"]])
        if availability_zone:
            candidates = keep(
                f"not in zone {availability_zone}",
                [h for h in candidates
                 if h["availability_zone"] == availability_zone])
        if backend_name:
            candidates = keep(
                f"not backend {backend_name}",
                [h for h in candidates if h["capabilities"].get(
                    "volume_backend_name") == backend_name])
        if capability:
            candidates = keep(
                f"without {capability}",
                [h for h in candidates
                 if h["capabilities"].get(capability)])
        candidates = keep(f"without {size}GB free",
                          [h for h in candidates if h["room_gb"] >= size])
        if not candidates:
            detail = ", ".join(removed) if removed else "none reported"
            raise exception.NoValidHost(
                reason=f"No volume host can hold {size}GB "
                       f"({len(hosts)} hosts: {detail}).")
        return max(candidates, key=lambda h: (h["room_gb"] - size,
                                              _reverse(h["host"])))

    def check_host(self, context, host, capability=None):
        """Raise unless ``host``'s driver declares ``capability``.

        :raises UnsupportedOperation: it does not (or never reported).
        """
        if capability is None:
            return
        for row in self.db.volumes.get_hosts(context):
            if row["host"] == host:
                if row["capabilities"].get(capability):
                    return
                plugin = row["driver"]
                break
        else:
            plugin = f"(volume host {host})"
        raise exception.UnsupportedOperation(
            plugin=plugin, operation=capability.replace("_", " "))


def _reverse(name):
    """A key that sorts names backwards (``max`` then prefers "a")."""
    return tuple(-ord(c) for c in name)
