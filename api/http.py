"""Request helpers shared by the identity and image dialects."""

import collections
import json
import re
import threading

import jsonschema
import orjson
import pecan
from oslo_utils import timeutils

from nimbus.core import exception, policy
from nimbus.core.interfaces import api_dialect


def reply(body=None, status=200, headers=None):
    response = pecan.response
    response.status = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if body is None:
        response.body = b""
        response.content_type = None
        if status == 200:
            # Nova answers some calls 200 with no body; pecan would turn
            # an empty 200 into a 204 unless the body is a generator
            # that yields something (here: one empty chunk).
            response.app_iter = (chunk for chunk in (b"",))
            response.content_length = 0
    else:
        response.content_type = "application/json"
        response.charset = "utf-8"
        response.body = dumps(body)
    return response


def dumps(body):
    """``body`` as UTF-8 JSON bytes. orjson: a page of 1,000 servers is
    encoded in about 1 ms, where :func:`json.dumps` takes 13."""
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)


def allow(*methods):
    """Abort with 405 unless the request uses one of ``methods`` (pecan's
    generic handlers fall back to the GET handler for unknown methods)."""
    if pecan.request.method not in methods + ("HEAD",):
        pecan.abort(405, headers={"Allow": ", ".join(methods)})


def read_json(request):
    """Return the parsed JSON body, reading at most the size limit.

    :raises RequestTooLarge: over ``[api] max_request_body_size`` (also
        when sent chunked, without a length).
    :raises BadMediaType: a form body (415).
    :raises Invalid: not JSON (400).
    """
    environ = request.environ
    if environ.get("nimbus.form_content_type"):
        raise exception.BadMediaType(
            kind=environ["nimbus.form_content_type"])
    if environ.get("nimbus.body_too_large"):
        raise exception.RequestTooLarge()
    limit = environ.get("nimbus.max_body", 114688)
    raw = request.body_file.read(limit + 1) if request.is_body_readable \
        else b""
    if len(raw) > limit:
        raise exception.RequestTooLarge()
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise exception.Invalid(reason="Malformed request body")


#: the ``format`` keywords request schemas use (checked, not advisory).
_FORMATS = jsonschema.FormatChecker(("ipv4", "ipv6"))


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    """Nova's ``date-time``: what ``timeutils.parse_isotime`` reads
    (``changes-since`` and the like)."""
    if isinstance(value, str):
        timeutils.parse_isotime(value)
    return True


@_FORMATS.checks("regex", raises=re.error)
def _regex(value):
    """Nova's ``regex``: a pattern Python compiles (the server list's
    name-like filters)."""
    if isinstance(value, str):
        re.compile(value)
    return True


def check(data, schema):
    """Raise the most relevant ``jsonschema.ValidationError`` of ``data``
    against ``schema`` (what ``jsonschema.validate`` raises), without
    re-validating ``schema`` itself against its metaschema on every
    request: that took more CPU than the rest of a boot's validation
    (docs/benchmarks.md). The schemas are checked once, by the unit
    tests (tests/unit/api/test_schemas_valid.py).
    """
    error = jsonschema.exceptions.best_match(
        _validator(schema).iter_errors(data))
    if error is not None:
        raise error


#: ``{id(schema): (schema, validator)}``, least recently used first. The
#: schema is kept with its validator, so its id cannot name another
#: object while it is here; a schema built per call only misses.
_VALIDATORS = collections.OrderedDict()
_VALIDATORS_MAX = 512
_VALIDATORS_LOCK = threading.Lock()


def _validator(schema):
    """``schema``'s validator, built once per schema object: building
    one (its reference resolver included) took twice as long as
    validating a server create's body with it."""
    key = id(schema)
    with _VALIDATORS_LOCK:
        known = _VALIDATORS.get(key)
        if known is not None and known[0] is schema:
            _VALIDATORS.move_to_end(key)
            return known[1]
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=_FORMATS)
    with _VALIDATORS_LOCK:
        _VALIDATORS[key] = (schema, validator)
        while len(_VALIDATORS) > _VALIDATORS_MAX:
            _VALIDATORS.popitem(last=False)
    return validator


def validate(data, schema):
    try:
        check(data, schema)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "body"
        raise exception.ValidationError(field=where, reason=err.message)
    return data


def body(schema):
    """Parse and validate the JSON body (4xx when it does not fit)."""
    return validate(read_json(pecan.request), schema)


def query(schema):
    """Validate the query string against ``schema`` (each parameter a
    list of its values, as Nova's query schemas read it); return each
    parameter's last value. A 400 when it does not fit."""
    params = pecan.request.GET.dict_of_lists()
    try:
        check(params, schema)
    except jsonschema.ValidationError as err:
        where = f" {err.absolute_path[0]}" if err.absolute_path else ""
        raise exception.Invalid(
            message=f"Invalid input for query parameters{where}. "
                    f"{err.message}")
    return {name: values[-1] for name, values in params.items()}


def context():
    return pecan.request.context["nimbus"]


def services():
    return pecan.request.context["services"]


def authorize(action, target=None):
    """Enforce ``action`` for the caller; raise 403 if policy says no."""
    policy.authorize(pecan.request.context["conf"], context(), action,
                     target)


def may(action, target=None):
    """Whether policy allows ``action`` (for optional fields)."""
    return policy.check(pecan.request.context["conf"], context(), action,
                        target)


_MEMO = threading.local()
_PECAN_REQUEST = pecan.request


def request_memo():
    """A dict that lives as long as the request this thread serves: for
    values a request reads thousands of times (a list of 1000 servers
    builds 3000 links), as each read through ``pecan.request`` costs
    several attribute look-ups. Outside a request, or with
    ``pecan.request`` replaced (tests), a new dict each time."""
    request = getattr(pecan.core.state, "request", None)
    if request is None or pecan.request is not _PECAN_REQUEST:
        return {}
    memo = getattr(_MEMO, "value", None)
    if memo is None or memo[0] is not request:
        memo = _MEMO.value = (request, {})
    return memo[1]


def base_url():
    memo = request_memo()
    url = memo.get("base_url")
    if url is None:
        conf_url = pecan.request.context.get("public_endpoint")
        url = memo["base_url"] = (conf_url or
                                  pecan.request.host_url).rstrip("/")
    return url


class AuthHook(pecan.hooks.PecanHook):
    """Authenticate every request of a dialect except its public ones.

    :param public: ``callable(request) -> bool``.
    """

    priority = 10

    def __init__(self, conf, services, public):
        self.conf = conf
        self.services = services
        self.public = public

    def on_route(self, state):
        from nimbus.api import auth
        request = state.request
        request.context["services"] = self.services
        request.context["conf"] = self.conf
        request.context["public_endpoint"] = self.conf.api.public_endpoint
        if not self.public(request):
            request.context["nimbus"] = auth.authenticate(
                self.conf, request, self.services)


class AuthenticatedDialect(api_dialect.APIDialect):
    """A dialect served by ``root_class()`` whose requests all go through
    :class:`AuthHook`, except those ``is_public(request)`` accepts."""

    root_class = None

    def __init__(self, conf, services):
        super().__init__(conf, services)
        self._root = self.root_class()
        self._hook = AuthHook(conf, services, self.is_public)

    @staticmethod
    def is_public(request):
        return False

    def root_controller(self):
        return self._root

    def hooks(self):
        return [self._hook]
