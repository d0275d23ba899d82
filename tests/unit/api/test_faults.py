"""The fault mapping the OpenStack-family dialects share."""

import json

import pytest
import webob
import webob.exc

from nimbus.api import faults
from nimbus.api.openstack import faults as nova_faults
from nimbus.core import exception


def _request():
    return webob.Request.blank("/v2.1/servers", base_url="http://api:8774")


@pytest.mark.parametrize("error, status, message", [
    (exception.InstanceNotFound(instance_id="i1"), 404,
     "Instance i1 could not be found."),
    (exception.UnsupportedAPIVersion(version="2.999", min="2.1",
                                     max="2.11"), 406,
     "Version 2.999 is not supported by the API. Minimum is 2.1 and "
     "maximum is 2.11."),
    (exception.RequestTooLarge(), 413, "Request is too large."),
    (exception.UnsupportedOperation(plugin="fake", operation="pause"), 501,
     "Plugin fake does not support pause."),
    # Unsafe 5xx and foreign errors never show their text.
    (exception.HypervisorError(reason="/var/lib/secret"), 500,
     faults.UNEXPECTED),
    (KeyError("internal"), 500, faults.UNEXPECTED),
    (webob.exc.HTTPNotFound(detail="no route /x"), 404, faults.NOT_FOUND),
])
def test_status_and_message(error, status, message):
    mapped = faults.fault(_request(), error)
    assert (mapped.status, mapped.message, mapped.headers) == \
        (status, message, {})


def test_401_names_the_identity_dialect():
    mapped = faults.fault(_request(), exception.Unauthenticated())
    assert mapped.headers == {
        "WWW-Authenticate": 'Keystone uri="http://api:8774/identity"'}


def test_405_keeps_allow():
    error = webob.exc.HTTPMethodNotAllowed(headers={"Allow": "GET, POST"})
    mapped = faults.fault(_request(), error)
    assert mapped.status == 405
    assert mapped.headers == {"Allow": "GET, POST"}


def test_nova_body_around_the_shared_mapping():
    response = nova_faults.render(_request(), exception.Unauthenticated())
    assert response.status_int == 401
    assert json.loads(response.text) == {
        "unauthorized": {"code": 401, "message": "Authentication required."}}
    assert response.headers["WWW-Authenticate"] == \
        'Keystone uri="http://api:8774/identity"'


def test_outage_is_503_with_retry_after_in_every_family_dialect():
    request = _request()
    request.environ["nimbus.retry_after"] = 7  # RequestIdMiddleware's
    error = exception.ServiceUnavailable(backend="database")
    response = nova_faults.render(request, error)
    assert response.status_int == 503
    assert response.headers["Retry-After"] == "7"
    assert json.loads(response.text) == {"serviceUnavailable": {
        "code": 503, "message": "The service is temporarily unavailable: "
        "the database does not answer. Please retry later."}}
    # Without the middleware (a unit of a dialect): the default.
    assert faults.fault(_request(), error).headers == {
        "Retry-After": str(faults.RETRY_AFTER)}


def test_a_bug_is_never_an_outage():
    # A foreign 503-looking error or an unsafe 5xx stays 500, no header.
    for error in (RuntimeError("database is down"),
                  exception.HypervisorError(reason="x")):
        mapped = faults.fault(_request(), error)
        assert (mapped.status, mapped.headers) == (500, {})


def test_ec2_outage_is_service_unavailable_xml():
    from nimbus.api.ec2 import app as ec2_app
    request = _request()
    request.environ["nimbus.retry_after"] = 7
    response = ec2_app.error_response(
        exception.ServiceUnavailable(backend="message broker"), "req-1",
        request)
    assert response.status_int == 503
    assert response.headers["Retry-After"] == "7"
    assert b"<Code>ServiceUnavailable</Code>" in response.body
    assert b"message broker does not answer" in response.body
