"""An operator's policy file is read again when it changes, without a
restart, but not looked at on every decision."""

import pytest
from oslo_config import cfg
from oslo_policy import opts as policy_opts

from nimbus.core import context as nimbus_context
from nimbus.core import exception, policy

ACTION = "os_compute_api:servers:index"


@pytest.fixture
def conf(tmp_path):
    conf = cfg.ConfigOpts()
    policy_opts.set_defaults(conf)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("{}\n")
    conf([], default_config_files=[])
    conf.set_override("policy_file", str(policy_file), group="oslo_policy")
    conf.set_override("policy_dirs", [], group="oslo_policy")
    policy.reset()
    yield conf
    policy.reset()


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(policy.time, "monotonic", lambda: now[0])
    return now


def _reader():
    return nimbus_context.RequestContext(user_id="u", project_id="p",
                                         roles=["reader"])


def _deny_readers(conf):
    with open(conf.oslo_policy.policy_file, "w") as policy_file:
        policy_file.write(f'"{ACTION}": "role:admin"\n')


def test_an_edited_policy_file_takes_effect_after_the_recheck_interval(
        conf, clock):
    policy.authorize(conf, _reader(), ACTION)
    _deny_readers(conf)

    clock[0] += policy._Enforcer.RECHECK_AFTER / 2
    policy.authorize(conf, _reader(), ACTION)

    clock[0] += policy._Enforcer.RECHECK_AFTER
    with pytest.raises(exception.PolicyNotAuthorized):
        policy.authorize(conf, _reader(), ACTION)


def test_decisions_within_the_interval_do_not_look_at_the_files(
        conf, clock, monkeypatch):
    policy.authorize(conf, _reader(), ACTION)
    looks = []
    real = policy.policy.Enforcer.load_rules

    def counted(enforcer, force_reload=False):
        looks.append(force_reload)
        return real(enforcer, force_reload)

    monkeypatch.setattr(policy.policy.Enforcer, "load_rules", counted)
    for _ in range(5):
        policy.authorize(conf, _reader(), ACTION)
    assert looks == []

    clock[0] += policy._Enforcer.RECHECK_AFTER
    for _ in range(5):
        policy.authorize(conf, _reader(), ACTION)
    assert looks == [False]
