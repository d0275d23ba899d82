"""Policy enforcement (oslo.policy) over nimbus's default rules.

One enforcer per process, built on first use from the global
configuration (``[oslo_policy]``: an operator's ``policy.yaml`` overrides
the defaults in :mod:`nimbus.core.policies`).
"""

import inspect
import threading
import time

from oslo_policy import _checks, policy

from nimbus.core import exception, policies

_STATE = {"enforcer": None}
_LOCK = threading.Lock()


class _Enforcer(policy.Enforcer):
    """An enforcer that looks at its policy files at most once a
    second.

    oslo.policy checks on every decision whether the policy file and
    each ``policy.d`` directory changed (it searches the configuration
    directories for each and stats them): several checks per API
    request, a few percent of a busy API's CPU. An operator's edit still
    takes effect without a restart, within a second.
    """

    #: seconds between looks at the policy files
    RECHECK_AFTER = 1.0

    def __init__(self, *args, **kwargs):
        self._next_look = 0.0
        super().__init__(*args, **kwargs)

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or now >= self._next_look or not self.rules:
            self._next_look = now + self.RECHECK_AFTER
            super().load_rules(force_reload)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def remember_check_signatures():
    """Store on each oslo.policy check class's ``__call__`` the
    signature :func:`inspect.getfullargspec` computes for it, where
    ``inspect`` looks first (``__signature__``).

    oslo.policy asks ``getfullargspec(rule.__call__)`` of every check a
    decision evaluates, to know which arguments it takes; working that
    out each time was nine tenths of a decision's CPU (110 us, 50 us with
    the answer stored). The stored answer is the one ``inspect`` gives
    (checked here and in the tests); a check class loaded later (an
    extension) is asked as before.
    """
    for cls in set(_subclasses(_checks.BaseCheck)):
        call = cls.__dict__.get("__call__")
        if not inspect.isfunction(call) or "__signature__" in vars(call):
            continue
        spec = inspect.getfullargspec(call)
        call.__signature__ = inspect.signature(call, follow_wrapped=False)
        if inspect.getfullargspec(call) != spec:
            del call.__signature__


def enforcer(conf):
    """Return the process's enforcer, creating it on first use."""
    with _LOCK:
        if _STATE["enforcer"] is None:
            remember_check_signatures()
            enf = _Enforcer(conf, use_conf=True)
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
