"""A compute's record writes through conductor outlive a database
restart: conductor's "the database does not answer" is retried for
``[conductor] database_outage_wait`` seconds, nothing else is."""

from unittest import mock

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.conductor import rpcapi as conductor_rpcapi

DOWN = exception.ServiceUnavailable(backend="database")


@pytest.fixture
def api(nimbus_conf, monkeypatch):
    monkeypatch.setattr(conductor_rpcapi.time, "sleep", lambda s: None)
    client = conductor_rpcapi.ConductorAPI()
    prepared = mock.Mock()
    client.client = mock.Mock()
    client.client.prepare.return_value = prepared
    return client, prepared


def test_a_write_waits_out_the_outage(api, nimbus_conf):
    client, prepared = api
    nimbus_conf.set_override("database_outage_wait", 30, "conductor")
    prepared.call.side_effect = [DOWN, DOWN, {"saved": True}]
    assert client.object_action({}, "inst", "save", (), {}) == \
        {"saved": True}
    assert prepared.call.call_count == 3


def test_an_outage_longer_than_the_wait_fails_the_write(api, nimbus_conf):
    client, prepared = api
    nimbus_conf.set_override("database_outage_wait", 0, "conductor")
    prepared.call.side_effect = DOWN
    with pytest.raises(exception.ServiceUnavailable):
        client.object_class_action_versions({}, "Instance", "get", {}, (),
                                            {})
    assert prepared.call.call_count == 1


def test_other_errors_are_not_retried(api, nimbus_conf):
    client, prepared = api
    nimbus_conf.set_override("database_outage_wait", 30, "conductor")
    prepared.call.side_effect = messaging.MessagingTimeout("no reply")
    with pytest.raises(messaging.MessagingTimeout):
        client.object_action({}, "inst", "save", (), {})
    assert prepared.call.call_count == 1
