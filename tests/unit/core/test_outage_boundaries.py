"""Where nimbus meets its backends: only "cannot reach it" becomes
ServiceUnavailable (503); a statement the database refuses, or any other
error, passes unchanged."""

from unittest import mock

import kombu.exceptions
import oslo_messaging as messaging
import pytest
from oslo_db import exception as db_exc
from sqlalchemy import exc as sa_exc

from nimbus.core import exception, rpc
from nimbus.core.db import engine


def _operational(statement):
    return sa_exc.OperationalError(statement, {}, Exception("refused"))


@pytest.mark.parametrize("error, unreachable", [
    (db_exc.DBConnectionError(Exception("gone")), True),
    # refused while connecting: no statement
    (_operational(None), True),
    (sa_exc.OperationalError("SELECT 1", {}, Exception("x"),
                             connection_invalidated=True), True),
    # the server answered: the statement is at fault
    (_operational("SELECT nothing FROM nowhere"), False),
    (sa_exc.IntegrityError("INSERT", {}, Exception("dup")), False),
    (db_exc.DBDuplicateEntry(columns=["name"]), False),
    (db_exc.DBError(Exception("syntax")), False),
    (ValueError("bug"), False),
])
def test_only_an_unreachable_database_is_unavailable(error, unreachable):
    assert engine.unreachable(error) is unreachable
    raised = exception.ServiceUnavailable if unreachable else type(error)
    with pytest.raises(raised):
        with engine._unavailable_on_disconnect():
            raise error


def _client(error):
    inner = mock.Mock()
    inner.prepare.return_value = inner
    inner.cast.side_effect = error
    inner.call.side_effect = error
    return rpc.Client(inner)


def test_a_message_the_broker_did_not_take_is_unavailable():
    client = _client(messaging.MessageDeliveryFailure("no broker"))
    with pytest.raises(exception.ServiceUnavailable) as caught:
        client.prepare(server="h").cast({}, "build")
    assert caught.value.code == 503
    assert "message broker" in caught.value.message
    with pytest.raises(exception.ServiceUnavailable):
        client.call({}, "ping")


@pytest.mark.parametrize("error", [
    kombu.exceptions.OperationalError("[Errno 111] Connection refused"),
    ConnectionRefusedError(111, "Connection refused")])
def test_a_pooled_connection_the_broker_refused_is_unavailable(error):
    # The RabbitMQ driver's connection pool raises the transport's own
    # error when it has to open a connection while the broker is down.
    with pytest.raises(exception.ServiceUnavailable):
        _client(error).cast({}, "build")


def test_other_rpc_errors_pass_unchanged():
    # A peer that does not answer in time is not an outage of the broker.
    with pytest.raises(messaging.MessagingTimeout):
        _client(messaging.MessagingTimeout("slow")).call({}, "ping")
    with pytest.raises(exception.InstanceNotFound):
        _client(exception.InstanceNotFound(instance_id="x")).cast({}, "m")


def test_client_delegates_everything_else():
    inner = mock.Mock()
    inner.can_send_version.return_value = False
    inner.version_cap = "1.0"
    client = rpc.Client(inner)
    assert client.can_send_version("1.1") is False
    assert client.version_cap == "1.0"
