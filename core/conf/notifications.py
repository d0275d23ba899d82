"""[notifications] options: nimbus's versioned notifications.

Whether notifications are sent at all is oslo.messaging's own
``[oslo_messaging_notifications] driver`` (unset: none are sent, the
embedded default); these options say which are sent and where.
"""

from oslo_config import cfg

group = cfg.OptGroup("notifications", title="Versioned notifications")

opts = [
    cfg.StrOpt("notify_on_state_change", default=None,
               choices=[(None, "no instance.update notifications"),
                        ("vm_state", "on a vm_state change"),
                        ("vm_and_task_state",
                         "on a vm_state or task_state change")],
               help="""
Send ``instance.update`` when a save changes an instance's state, from
the process that writes it (conductor for a compute's saves, the API for
its own).

Possible values:

* unset: never
* ``vm_state``: when ``vm_state`` changes
* ``vm_and_task_state``: when ``vm_state`` or ``task_state`` changes

Related options:

* ``[oslo_messaging_notifications] driver`` must be set (e.g.
  ``messagingv2``) for anything to be sent.
"""),
    cfg.ListOpt("notification_topics", default=["versioned_notifications"],
                help="""
Topics the versioned notifications are sent to; a consumer listens on
``<topic>.info`` and ``<topic>.error`` of the control exchange
(``nimbus``).

Related options:

* ``[oslo_messaging_notifications] transport_url``: another broker for
  notifications (default: ``transport_url``).
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
