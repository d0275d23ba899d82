"""Policy enforcement (oslo.policy) over nimbus's default rules.

One enforcer per process, built on first use from the global
configuration (``[oslo_policy]``: an operator's ``policy.yaml`` overrides
the defaults in :mod:`nimbus.core.policies`).
"""

import threading

from oslo_policy import policy

from nimbus.core import exception, policies

_STATE = {"enforcer": None}
_LOCK = threading.Lock()


def enforcer(conf):
    """Return the process's enforcer, creating it on first use."""
    with _LOCK:
        if _STATE["enforcer"] is None:
            enf = policy.Enforcer(conf, use_conf=True)
            enf.register_defaults(policies.list_rules())
            enf.load_rules()
            _STATE["enforcer"] = enf
        return _STATE["enforcer"]


def reset():
    """Forget the enforcer (tests reconfigure between runs)."""
    with _LOCK:
        _STATE["enforcer"] = None


def authorize(conf, context, action, target=None):
    """Raise unless ``context`` may do ``action`` on ``target``.

    :param target: ``dict`` describing the resource (``project_id``,
        ``user_id``); defaults to the caller's own project and user.
    :raises PolicyNotAuthorized: policy forbids it (403).
    """
    target = dict(target or {})
    target.setdefault("project_id", context.project_id)
    target.setdefault("user_id", context.user_id)
    try:
        return enforcer(conf).authorize(
            action, target, context, do_raise=True,
            exc=exception.PolicyNotAuthorized, action=action)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(action=action)


def check(conf, context, action, target=None):
    """Return whether ``context`` may do ``action`` (never raises)."""
    try:
        authorize(conf, context, action, target)
    except exception.PolicyNotAuthorized:
        return False
    return True
