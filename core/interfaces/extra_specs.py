"""Match a requirement such as ``>= 4`` or ``<in> avx`` against a value.

The operators are Nova's (flavor extra specs, aggregate metadata):
``=`` (numeric at least), ``==`` ``!=`` ``>=`` ``<=`` (numeric),
``s==`` ``s!=`` ``s<`` ``s<=`` ``s>`` ``s>=`` (string), ``<in>``
(substring), ``<all-in>`` (every word in a list value), ``<or>``
(alternatives). A requirement without an operator is an exact string
match.

Part of the plugin surface: filters that compare flavor extra specs or
aggregate metadata use :func:`match` so every filter reads the operators
the same way, and plugins that read flavor extra specs declare them as
:class:`ExtraSpec` data (``extra_specs`` of a scheduler filter), which
the Compute API validates from 2.86.
"""

import dataclasses
import operator
import re

_NUMERIC = {"=": operator.ge, "==": operator.eq, "!=": operator.ne,
            ">=": operator.ge, "<=": operator.le}
_STRING = {"s==": operator.eq, "s!=": operator.ne, "s<": operator.lt,
           "s<=": operator.le, "s>": operator.gt, "s>=": operator.ge}


def match(value, requirement):
    """Return whether ``value`` satisfies ``requirement`` (both str)."""
    words = str(requirement).split()
    if not words:
        return str(value) == ""
    op, args = words[0], words[1:]
    if op == "<or>":
        return str(value) in [w for w in args if w != "<or>"]
    if op == "<in>":
        return bool(args) and args[0] in str(value)
    if op == "<all-in>":
        have = value if isinstance(value, (list, set, tuple)) \
            else str(value).split()
        return all(a in [str(h) for h in have] for a in args)
    if op in _STRING and args:
        return _STRING[op](str(value), args[0])
    if op in _NUMERIC and args:
        try:
            return _NUMERIC[op](float(value), float(args[0]))
        except (TypeError, ValueError):
            return False
    return str(value) == str(requirement)


@dataclasses.dataclass(frozen=True)
class ExtraSpec:
    """A flavor extra spec a plugin reads, as data.

    :ivar name: the key, ``namespace:name``; a ``{param}`` part stands
        for the regular expression ``parameters[param]`` (e.g.
        ``capabilities:cpu_info{path}`` with ``path`` ``(:[^:]+)+``).
    :ivar description: what it does, for operators.
    :ivar value_type: ``str``, ``int`` or ``bool`` (a boolean-like
        string).
    :ivar enum: the values a ``str`` may take (empty: any).
    :ivar pattern: a regular expression a ``str`` value must match.
    :ivar minimum: the least an ``int`` may be; ``maximum`` the most.
    :ivar parameters: ``{param: regex}`` of the name's ``{param}`` parts.
    """

    name: str
    description: str
    value_type: type = str
    enum: tuple = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    parameters: dict = dataclasses.field(default_factory=dict)

    @property
    def namespace(self):
        """The part of the name before the first ``:``."""
        return self.name.split(":", 1)[0]

    @property
    def name_regex(self):
        regex = re.escape(self.name)
        for param, pattern in self.parameters.items():
            regex = regex.replace(re.escape("{" + param + "}"),
                                  f"(?:{pattern})")
        return regex

    def matches(self, name):
        """Whether ``name`` is this spec's key."""
        return re.fullmatch(self.name_regex, name) is not None

    def problem(self, value):
        """Why ``value`` is not valid for this spec (None: it is)."""
        value = str(value)
        if self.value_type is int:
            try:
                number = int(value)
            except ValueError:
                return f"'{value}' is not a valid integer value."
            if self.maximum is not None and number > self.maximum:
                return (f"'{value}' is greater than the max value of "
                        f"'{self.maximum}'.")
            if self.minimum is not None and number < self.minimum:
                return (f"'{value}' is less than the min value of "
                        f"'{self.minimum}'.")
        elif self.value_type is bool:
            if value.strip().lower() not in _BOOLEAN_LIKE:
                return f"'{value}' is not a valid boolean-like value."
        elif self.pattern and re.fullmatch(self.pattern, value) is None:
            return f"'{value}' is not of the format '{self.pattern}'."
        elif self.enum and value not in self.enum:
            return f"'{value}' is not one of: {', '.join(self.enum)}."
        return None


_BOOLEAN_LIKE = ("1", "0", "t", "f", "true", "false", "on", "off", "y",
                 "n", "yes", "no")


def problem(specs, name, value):
    """Why the extra spec ``name=value`` is invalid, given the ``specs``
    plugins declare (None: it is valid, or nobody declares its
    namespace, so nimbus cannot tell).

    A key of a declared namespace that no spec matches is invalid.
    """
    for spec in specs:
        if spec.matches(name):
            why = spec.problem(value)
            return f"Validation failed; {why}" if why else None
    if ":" in name and name.split(":", 1)[0] in {s.namespace
                                                 for s in specs}:
        return (f"Validation failed; extra spec '{name}' does not appear "
                f"to be a valid extra spec.")
    return None
