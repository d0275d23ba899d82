"""The ``hostname`` a server's create, update and rebuild may give
(2.90): a DNS label (Nova's ``parameter_types.hostname``: 2-63 letters,
digits and inner dashes), from 2.94 an FQDN (Nova's
``parameter_types.fqdn``: 1-255 letters, digits, dashes, dots and
underscores)."""

from nimbus.api import http

#: 2.90-2.93.
HOSTNAME = {"type": "string", "minLength": 2, "maxLength": 63,
            "pattern": r"^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$"}
#: 2.94 on.
FQDN = {"type": "string", "minLength": 1, "maxLength": 255,
        "pattern": r"^[a-zA-Z0-9-._]*$"}


def for_version(at_least):
    """The schema of ``hostname`` at the request's microversion, or None
    below 2.90 (where it is an unexpected property)."""
    if at_least(94):
        return FQDN
    return HOSTNAME if at_least(90) else None


def with_hostname(schema, container, at_least):
    """``schema`` (a body ``{container: {...}}``) with ``hostname``
    among ``container``'s properties as the microversion has it."""
    wanted = for_version(at_least)
    if wanted is None:
        return schema
    inner = schema["properties"][container]
    inner = dict(inner, properties=dict(inner["properties"],
                                        hostname=wanted))
    return dict(schema, properties=dict(schema["properties"],
                                        **{container: inner}))


def check_rebuild(args, minor):
    """The rebuild action's ``hostname`` (its schema takes the widest
    form; here the microversion's): a 400 below 2.90 or when it does
    not fit."""
    if "hostname" not in args:
        return
    wanted = for_version(lambda version: minor >= version)
    properties = {} if wanted is None else {"hostname": wanted}
    http.validate({"rebuild": {"hostname": args["hostname"]}}, {
        "type": "object", "properties": {"rebuild": {
            "type": "object", "properties": properties,
            "additionalProperties": False}}})
