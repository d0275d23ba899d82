"""oslo.policy's check classes carry the signature ``inspect`` gives
their ``__call__`` (oslo.policy asks for it on every check): the same
answer, and decisions unchanged."""

import inspect

import pytest
from oslo_config import cfg
from oslo_policy import _checks
from oslo_policy import opts as policy_opts

from nimbus.core import context as nimbus_context
from nimbus.core import policy


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    policy_opts.set_defaults(conf)
    conf([], default_config_files=[])
    conf.set_override("policy_dirs", [], group="oslo_policy")
    policy.reset()
    yield conf
    policy.reset()


def _calls():
    return [(cls, cls.__dict__["__call__"])
            for cls in set(policy._subclasses(_checks.BaseCheck))
            if inspect.isfunction(cls.__dict__.get("__call__"))]


def test_the_stored_signature_is_inspects_own():
    for _cls, call in _calls():
        vars(call).pop("__signature__", None)
    computed = {cls: inspect.getfullargspec(call) for cls, call in _calls()}
    policy.remember_check_signatures()
    assert computed
    for cls, call in _calls():
        assert "__signature__" in vars(call), cls
        assert inspect.getfullargspec(call) == computed[cls]
        # the bound method oslo.policy passes: the same as before too
        assert inspect.getfullargspec(cls.__call__) == computed[cls]


def test_decisions_are_unchanged(conf):
    member = nimbus_context.RequestContext(user_id="u", project_id="p",
                                           roles=["member", "reader"])
    other = {"project_id": "q", "user_id": "v"}
    actions = ("os_compute_api:servers:create",
               "os_compute_api:servers:delete",
               "os_compute_api:os-hypervisors:list")
    policy.enforcer(conf)  # built (and the signatures stored): now drop
    for _cls, call in _calls():
        vars(call).pop("__signature__", None)
    before = [(policy.check(conf, member, a), policy.check(conf, member, a,
                                                            other))
              for a in actions]
    policy.remember_check_signatures()
    after = [(policy.check(conf, member, a), policy.check(conf, member, a,
                                                           other))
             for a in actions]
    assert before == after == [(True, False), (True, False),
                               (False, False)]
