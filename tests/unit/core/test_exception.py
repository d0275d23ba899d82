"""The one exception hierarchy: nothing outside it, codes on every class,
messages that render, kwargs that cross RPC."""

import datetime
import importlib
import inspect
import json
import pkgutil
import re
import sys
import uuid

import pytest
from oslo_messaging._drivers import common as rpc_common

from nimbus.core import exception, rpc

# Alembic's env.py runs migrations when imported: not a library module.
_NOT_IMPORTABLE = ("nimbus.core.db.migrations",)
# The conformance kits raise deliberately broken test doubles of their own.
_TEST_DOUBLES = ("nimbus.core.testing",)
_EC2_CODE = re.compile(r"^[A-Z][A-Za-z]+(\.[A-Z][A-Za-z]+)?$")


def _modules(package_name):
    package = importlib.import_module(package_name)
    yield package
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        if not info.name.startswith(_NOT_IMPORTABLE):
            yield importlib.import_module(info.name)


def _exception_classes(module):
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, BaseException)
            and obj.__module__ == module.__name__]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


ALL = sorted(set(_subclasses(exception.NimbusException)) |
             {exception.NimbusException}, key=lambda c: c.__name__)


def _kwargs(cls, make=str):
    """One value per ``%(name)s`` placeholder of ``cls.msg_fmt``."""
    names = re.findall(r"%\((\w+)\)", cls.msg_fmt)
    return {name: make(f"<{name}>") for name in names}


@pytest.mark.parametrize("package", ["nimbus.core", "nimbus.api"])
def test_no_exception_class_outside_core_exception(package):
    strays = [f"{module.__name__}.{cls.__name__}"
              for module in _modules(package)
              if module is not exception
              and not module.__name__.startswith(_TEST_DOUBLES)
              for cls in _exception_classes(module)]
    assert strays == []


def test_the_walk_sees_core_exception_itself():
    # Guards the test above against walking nothing.
    modules = list(_modules("nimbus.core"))
    assert exception in modules
    assert exception.InstanceNotFound in _exception_classes(exception)
    assert len(modules) > 50


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_class_has_an_http_and_an_ec2_code(cls):
    assert type(cls.code) is int and 400 <= cls.code < 600
    assert isinstance(cls.ec2_code, str)
    assert _EC2_CODE.match(cls.ec2_code), cls.ec2_code


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_msg_fmt_renders_with_its_kwargs(cls):
    kwargs = _kwargs(cls)
    error = cls(**kwargs)
    assert error.message == cls.msg_fmt % kwargs
    assert str(error) == error.message
    assert "%(" not in error.message
    assert error.kwargs["code"] == cls.code


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_kwargs_survive_a_json_round_trip(cls):
    # UUID objects are not JSON: the exception keeps their str.
    error = cls(**_kwargs(cls, make=lambda s: uuid.uuid5(uuid.NAMESPACE_URL,
                                                         s)))
    wire = json.loads(json.dumps(error.kwargs))
    assert wire == error.kwargs
    rebuilt = cls(**wire)
    assert rebuilt.kwargs == error.kwargs
    assert rebuilt.message == cls.msg_fmt % wire


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_exceptions_cross_rpc_as_themselves(cls):
    error = cls(**_kwargs(cls))
    try:
        raise error
    except cls:
        data = rpc_common.serialize_remote_exception(sys.exc_info())
    remote = rpc_common.deserialize_remote_exception(data,
                                                     rpc.ALLOWED_EXMODS)
    assert isinstance(remote, cls)
    assert (remote.message, remote.kwargs, remote.code) == \
        (error.message, error.kwargs, error.code)


def test_kwargs_are_kept_in_their_json_form():
    when = datetime.datetime(2030, 1, 2, 3, 4, 5)
    error = exception.UnexpectedTaskStateError(
        instance_uuid="i1", expected=(None, "deleting"), actual=when)
    assert error.kwargs == {"instance_uuid": "i1", "code": 409,
                            "expected": [None, "deleting"],
                            "actual": str(when)}
    # The message is rendered from the values as given.
    assert error.message.endswith(
        f"Expected: (None, 'deleting'). Actual: {when}")


def test_group_conflict_hands_the_hosts_back_after_rpc():
    try:
        raise exception.GroupConflict(hosts=["h1", "h2"])
    except exception.GroupConflict:
        data = rpc_common.serialize_remote_exception(sys.exc_info())
    remote = rpc_common.deserialize_remote_exception(data,
                                                     rpc.ALLOWED_EXMODS)
    assert remote.hosts == ["h1", "h2"]
    assert isinstance(remote, exception.Conflict)


@pytest.mark.parametrize("cls, ec2_code", [
    (exception.InstanceNotFound, "InvalidInstanceID.NotFound"),
    (exception.HypervisorInstanceNotFound, "InvalidInstanceID.NotFound"),
    (exception.ImageNotFound, "InvalidAMIID.NotFound"),
    (exception.InstanceInvalidState, "IncorrectInstanceState"),
    (exception.UnexpectedDeletingTaskStateError, "IncorrectInstanceState"),
    (exception.ValidationError, "InvalidParameterValue"),
    (exception.PolicyNotAuthorized, "UnauthorizedOperation"),
    (exception.Unauthenticated, "AuthFailure"),
    (exception.OverQuota, "ResourceLimitExceeded"),
    (exception.FlavorExists, "IncorrectState"),
    (exception.MaxRetriesExceeded, "InsufficientInstanceCapacity"),
    (exception.BuildAbort, "InternalError"),
])
def test_ec2_codes_follow_the_family(cls, ec2_code):
    assert cls.ec2_code == ec2_code
