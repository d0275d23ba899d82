"""Client side of the network RPC API (topic ``network``; one server per
nimbus-network host, ``network.<host>``).

Version history:

* 1.0: initial version: allocate_for_instance, deallocate_for_instance,
  allocate_port_for_instance, deallocate_port (calls, any network
  service: the records are the truth), get_host_vifs (call: what a
  restarting compute replays), setup_network, teardown_network,
  add_floating_ip, remove_floating_ip (casts to the gateway host, or to
  every network service when it is not known).
* 1.1 (netfw): allocate_for_instance, allocate_port_for_instance and
  get_host_vifs take ``remote_groups``: True returns rules naming a
  remote group as they are, with the group's members in the VIF's
  ``remote_groups`` (the compute keeps them as sets, compute RPC 1.8);
  without it each such rule is resolved to one rule per member address.
* 1.2: deallocate_for_instance takes ``return_vifs``: False (a compute
  that knows what it plugged) returns None instead of the VIF dicts.
* 1.3: allocate_for_instance takes ``held_groups``: remote groups whose
  members the compute holds already, left out of the VIFs'
  ``remote_groups`` (a boot no longer carries every member of its
  ``default`` group).
* 1.4: allocate_for_instances, deallocate_for_instances (calls): a
  compute's burst of boots (new ports on the networks they name, in the
  ``default`` group) or of deletes in one message. One outcome per
  server: its VIF dicts as ``{"vifs": [...]}`` (None for a release), or
  ``{"error": {"type": exception class name, "message": ...}}``.

Every argument is plain JSON (dicts, lists, strings): VIF dicts as
:mod:`nimbus.core.network.model` describes, network dicts with the
NetworkSpec fields, floating dicts ``{"address", "fixed_address",
"external_network", "network", "port_id"}``.
"""

import oslo_messaging as messaging

from nimbus.core import conf as nimbus_conf
from nimbus.core import exception, rpc

TOPIC = "network"
CONF = nimbus_conf.CONF
VERSION_CAP = "1.4"


class NetworkAPI:
    """Calls to nimbus-network services."""

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.network or VERSION_CAP)

    def _to(self, host=None, **kwargs):
        if host:
            return self.client.prepare(server=host, **kwargs)
        return self.client.prepare(**kwargs)

    def _groups(self, **kwargs):
        """``(prepare kwargs, call kwargs)``: ask for unresolved remote
        groups (1.1) when the network service takes them."""
        if self.client.can_send_version("1.1"):
            return dict(kwargs, version="1.1"), {"remote_groups": True}
        return kwargs, {}

    def allocate_for_instance(self, context, instance_uuid, project_id,
                              host, requested_networks, security_groups,
                              hostname, held_groups=()):
        """Create (or bind) the server's ports; returns its VIF dicts,
        rules included. The gateway side of each network is refreshed.

        :param held_groups: remote groups whose members the caller holds
            (left out when the network service takes it, 1.3).
        """
        prepare, extra = self._groups(timeout=CONF.network.allocate_timeout)
        if held_groups and self.client.can_send_version("1.3"):
            prepare["version"] = "1.3"
            extra["held_groups"] = sorted(held_groups)
        return self._to(**prepare).call(
            context, "allocate_for_instance", instance_uuid=instance_uuid,
            project_id=project_id, host=host,
            requested_networks=requested_networks,
            security_groups=security_groups, hostname=hostname, **extra)

    def deallocate_for_instance(self, context, instance_uuid, host,
                                return_vifs=True):
        """Release the server's ports and addresses; returns the VIF
        dicts they had (for the compute to unplug), or None when
        ``return_vifs`` is False and the network service takes it (1.2):
        the caller then unplugs what it knows it plugged."""
        if not return_vifs and self.client.can_send_version("1.2"):
            return self._to(timeout=CONF.network.allocate_timeout,
                            version="1.2").call(
                context, "deallocate_for_instance",
                instance_uuid=instance_uuid, host=host, return_vifs=False)
        return self._to(timeout=CONF.network.allocate_timeout).call(
            context, "deallocate_for_instance", instance_uuid=instance_uuid,
            host=host)

    def can_take_bursts(self):
        """Whether the network services take bursts (1.4)."""
        return self.client.can_send_version("1.4")

    def allocate_for_instances(self, context, host, requests,
                               held_groups=()):
        """:meth:`allocate_for_instance` for several servers on ``host``
        in one call (1.4; see :meth:`can_take_bursts`).

        :param requests: ``[{"instance_uuid", "project_id", "requested",
            "security_groups", "hostname"}]``, each with new ports only,
            on the networks it names, in the ``default`` group.
        :returns: one outcome per request, in order: its VIF dicts, or
            the exception it met (returned, not raised).
        """
        extra = {"held_groups": sorted(held_groups)} if held_groups else {}
        return [burst_outcome(outcome, "vifs") for outcome in self._to(
            timeout=CONF.network.allocate_timeout, version="1.4").call(
                context, "allocate_for_instances", host=host,
                requests=requests, remote_groups=True, **extra)]

    def deallocate_for_instances(self, context, host, instance_uuids):
        """:meth:`deallocate_for_instance` with ``return_vifs`` False for
        several servers on ``host`` in one call (1.4); returns one
        outcome per server: None, or the exception it met."""
        return [burst_outcome(outcome) for outcome in self._to(
            timeout=CONF.network.allocate_timeout, version="1.4").call(
                context, "deallocate_for_instances", host=host,
                instance_uuids=instance_uuids)]

    def allocate_port_for_instance(self, context, instance_uuid, project_id,
                                   host, network_id=None, port_id=None,
                                   fixed_ip=None, hostname=None):
        """One more port for a running server (os-interface attach);
        returns its VIF dict."""
        prepare, extra = self._groups(timeout=CONF.network.allocate_timeout)
        return self._to(**prepare).call(
            context, "allocate_port_for_instance",
            instance_uuid=instance_uuid, project_id=project_id, host=host,
            network_id=network_id, port_id=port_id, fixed_ip=fixed_ip,
            hostname=hostname, **extra)

    def deallocate_port(self, context, instance_uuid, port_id, host):
        """Release one port of a server (os-interface detach); returns
        the VIF dict it had."""
        return self._to(timeout=CONF.network.allocate_timeout).call(
            context, "deallocate_port", instance_uuid=instance_uuid,
            port_id=port_id, host=host)

    def get_host_vifs(self, context, host):
        """VIF dicts (rules included) of every port bound on ``host``."""
        prepare, extra = self._groups(timeout=CONF.network.allocate_timeout)
        return self._to(**prepare).call(
            context, "get_host_vifs", host=host, **extra)

    def setup_network(self, context, network_id, host=None):
        """(Re)apply the gateway side of a network: on ``host``, or on
        any network service (which claims the network) when None."""
        self._to(host).cast(context, "setup_network", network_id=network_id)

    def teardown_network(self, context, network, host=None):
        """Remove a deleted network's gateway side (``network``: its
        NetworkSpec dict); on every network service when ``host`` is
        None."""
        if host:
            self._to(host).cast(context, "teardown_network", network=network)
        else:
            self.client.prepare(fanout=True).cast(
                context, "teardown_network", network=network)

    def add_floating_ip(self, context, floating, host=None):
        self._to(host).cast(context, "add_floating_ip", floating=floating)

    def remove_floating_ip(self, context, floating, host=None):
        self._to(host).cast(context, "remove_floating_ip", floating=floating)


def joins_bursts(requested, security_groups):
    """Whether a boot asking for ``requested`` (normalized NICs) in
    ``security_groups`` may go in a burst (1.4): new ports with any free
    address, on the networks it names, in the ``default`` group, what
    nimbus-network allocates together anyway (nothing written depends
    on whose context the message carries)."""
    return bool(requested) and all(
        r.get("network_id") and not r.get("port_id") and not r.get("fixed_ip")
        for r in requested) and set(security_groups or ()) <= {"default"}


def burst_outcome(outcome, key=None):
    """One server's outcome of a burst (1.4): ``outcome[key]``, or its
    error as the nimbus exception it was (a NimbusException when the
    class is not one this release knows)."""
    error = (outcome or {}).get("error")
    if error is None:
        return outcome[key] if key else None
    cls = getattr(exception, error.get("type") or "", None)
    if isinstance(cls, type) and issubclass(cls, exception.NimbusException):
        try:
            return cls(message=error["message"])
        except Exception:  # a class whose arguments differ
            pass
    return exception.NimbusException(message=error["message"])
