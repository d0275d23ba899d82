"""Client side of the compute RPC API (topic ``compute``, server = host).

Version history:

* 1.0: initial version: build_and_run_instance, terminate_instance,
  start_instance, stop_instance, reboot_instance, pause_instance,
  unpause_instance, suspend_instance, resume_instance,
  get_console_output.
* 1.1: build_and_run_instance's ``request_spec`` is a
  :class:`~nimbus.core.interfaces.request_spec.RequestSpec` object (in
  1.0 the legacy ``dict``).
"""

import oslo_messaging as messaging

from nimbus.core import conf as nimbus_conf
from nimbus.core import rpc

TOPIC = "compute"
CONF = nimbus_conf.CONF
#: The newest version this client knows: its cap unless
#: ``[upgrade_levels] compute`` pins an older one.
VERSION_CAP = "1.1"


class ComputeAPI:
    """Calls to the nimbus-compute service of one host."""

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.compute or VERSION_CAP)

    def _on(self, host, **kwargs):
        return self.client.prepare(server=host, **kwargs)

    def build_and_run_instance(self, context, instance, host, request_spec,
                               alternates):
        """Build and start ``instance`` on ``host``.

        :param request_spec: the :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec`; sent as the legacy ``dict`` while
            ``[upgrade_levels] compute`` is below 1.1.
        :param alternates: selections to reschedule onto if it fails.
        """
        version = "1.1"
        if not self.client.can_send_version(version):
            version, request_spec = "1.0", request_spec.to_legacy_dict()
        self._on(host, version=version).cast(
            context, "build_and_run_instance", instance=instance,
            request_spec=request_spec, alternates=alternates)

    def terminate_instance(self, context, instance):
        self._on(instance.host).cast(context, "terminate_instance",
                                     instance=instance)

    def _cast_action(self, context, method, instance, **kwargs):
        self._on(instance.host).cast(context, method, instance=instance,
                                     **kwargs)

    def start_instance(self, context, instance):
        self._cast_action(context, "start_instance", instance)

    def stop_instance(self, context, instance):
        self._cast_action(context, "stop_instance", instance)

    def reboot_instance(self, context, instance, reboot_type):
        self._cast_action(context, "reboot_instance", instance,
                          reboot_type=reboot_type)

    def pause_instance(self, context, instance):
        self._cast_action(context, "pause_instance", instance)

    def unpause_instance(self, context, instance):
        self._cast_action(context, "unpause_instance", instance)

    def suspend_instance(self, context, instance):
        self._cast_action(context, "suspend_instance", instance)

    def resume_instance(self, context, instance):
        self._cast_action(context, "resume_instance", instance)

    def get_console_output(self, context, instance, max_bytes):
        return self._on(instance.host, timeout=60).call(
            context, "get_console_output", instance=instance,
            max_bytes=max_bytes)
