"""An exception re-raised from another service over RPC is shown to
users (fault messages, notifications) as the raising service said it:
no remote traceback in the text, no ``_Remote`` in the name."""

from oslo_messaging._drivers import common

from nimbus.core import exception


def _over_rpc(err):
    try:
        raise err
    except exception.NimbusException as raised:
        data = common.serialize_remote_exception(
            (type(raised), raised, raised.__traceback__))
    return common.deserialize_remote_exception(
        data, ["nimbus.core.exception"])


def test_a_remote_exception_reads_as_the_raiser_said_it():
    remote = _over_rpc(exception.NoValidHost(reason="none fits"))
    assert "Traceback" in str(remote)          # what oslo.messaging does
    assert exception.message_of(remote) == \
        "No valid host was found. none fits"
    assert exception.name_of(remote) == "NoValidHost"


def test_a_local_exception_is_unchanged():
    err = exception.NoValidHost(reason="none fits")
    assert exception.message_of(err) == str(err)
    assert exception.name_of(err) == "NoValidHost"
    assert exception.message_of("plain text") == "plain text"
