"""Match a requirement such as ``>= 4`` or ``<in> avx`` against a value.

The operators are Nova's (flavor extra specs, aggregate metadata):
``=`` (numeric at least), ``==`` ``!=`` ``>=`` ``<=`` (numeric),
``s==`` ``s!=`` ``s<`` ``s<=`` ``s>`` ``s>=`` (string), ``<in>``
(substring), ``<all-in>`` (every word in a list value), ``<or>``
(alternatives). A requirement without an operator is an exact string
match.

Part of the plugin surface: filters that compare flavor extra specs or
aggregate metadata use :func:`match` so every filter reads the operators
the same way.
"""

import operator

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
