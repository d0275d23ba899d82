"""Password checks cost the same for unknown users, the lockout counts
failures in the database, and each request starts with a context of its
own."""

import datetime

import bcrypt
import pytest
from oslo_context import context as oslo_context
from oslo_utils import timeutils

from nimbus.core import context as nimbus_context
from nimbus.core.exception import AuthFailed
from nimbus.core.identity import api as identity_api
from nimbus.core.identity import manage, passwords


def test_unknown_user_costs_a_check_at_the_deployments_cost(monkeypatch):
    costs = []
    real = bcrypt.checkpw
    monkeypatch.setattr(passwords.bcrypt, "checkpw", lambda pw, hashed: (
        costs.append(hashed[:7]), real(pw, hashed))[1])
    assert not passwords.check_password("guess", None, rounds=5)
    assert not passwords.check_password(None, None, rounds=5)
    assert costs == [b"$2b$05$", b"$2b$05$"]


def _login(identity, password):
    ident = {"user": {"name": "locky", "domain": {"name": "Default"},
                      "password": password}}
    return identity._user_by_password(nimbus_context.get_admin_context(),
                                      ident)


@pytest.fixture
def identity(nimbus_conf, db_api):
    nimbus_conf.set_override("bcrypt_rounds", 4, "identity")
    nimbus_conf.set_override("lockout_failure_attempts", 2,
                             "security_compliance")
    nimbus_conf.set_override("lockout_duration", 60, "security_compliance")
    manage.IdentityAdmin(nimbus_conf, db_api).create_user(
        nimbus_context.get_admin_context(), "locky", "right")
    return identity_api.IdentityAPI(nimbus_conf, db_api)


def test_lockout_refuses_the_right_password_until_the_duration_passed(
        identity, monkeypatch):
    for _ in range(2):
        with pytest.raises(AuthFailed):
            _login(identity, "wrong")
    with pytest.raises(AuthFailed):
        _login(identity, "right")
    later = timeutils.utcnow() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(timeutils, "utcnow", lambda: later)
    assert _login(identity, "right")["name"] == "locky"


def test_a_success_resets_the_count(identity):
    with pytest.raises(AuthFailed):
        _login(identity, "wrong")
    _login(identity, "right")
    with pytest.raises(AuthFailed):
        _login(identity, "wrong")
    assert _login(identity, "right")["name"] == "locky"
    row = identity.db.identity.get_user(
        nimbus_context.get_admin_context(), name="locky")
    assert row["failed_auth_count"] == 0


def test_lockout_off_by_default(nimbus_conf):
    assert nimbus_conf.security_compliance.lockout_failure_attempts == 0


def test_each_request_starts_as_nobody_and_admin_contexts_never_stick():
    nimbus_context.clear_store()
    nimbus_context.get_admin_context()
    assert oslo_context.get_current() is None
    nimbus_context.RequestContext(user_id="someone", project_id="p")
    first = nimbus_context.start_request()
    assert oslo_context.get_current() is first
    assert first.user_id is None and first.request_id.startswith("req-")
    assert nimbus_context.start_request().request_id != first.request_id
    nimbus_context.clear_store()



def test_an_rpc_method_leaves_no_context_on_its_thread():
    from nimbus.core import rpc

    class Endpoint:
        target = "the target"

        def work(self, ctxt):
            # what the serializer does as a message arrives
            nimbus_context.RequestContext.from_dict(ctxt.to_dict())
            return oslo_context.get_current().user_id

    nimbus_context.clear_store()
    endpoint = rpc.ContextScopedEndpoint(Endpoint())
    caller = nimbus_context.RequestContext(user_id="someone",
                                           overwrite=False)
    nimbus_context.clear_store()
    assert endpoint.target == "the target"
    assert endpoint.work(caller) == "someone"
    assert oslo_context.get_current() is None
