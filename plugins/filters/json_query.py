"""JsonFilter."""

import json
import operator

from nimbus.core.interfaces import scheduler

_COMPARE = {"=": operator.eq, "<": operator.lt, ">": operator.gt,
            "<=": operator.le, ">=": operator.ge}


def evaluate(expr, host_state):
    """Evaluate a query such as ``[">=", "$free_ram_mb", 1024]``.

    Operators: ``= < > <= >= in not or and``; ``$name`` reads a host-state
    attribute (``$cpu_info.arch`` walks into dicts).
    :raises ValueError: malformed query.
    """
    if not isinstance(expr, list):
        if isinstance(expr, str) and expr.startswith("$"):
            return _variable(expr[1:], host_state)
        return expr
    if not expr or not isinstance(expr[0], str):
        raise ValueError(f"not an operator: {expr!r}")
    op, args = expr[0], [evaluate(a, host_state) for a in expr[1:]]
    if op in _COMPARE:
        if len(args) < 2 or None in args:
            return False
        return all(_COMPARE[op](args[i], args[i + 1])
                   for i in range(len(args) - 1))
    if op == "in":
        return bool(args) and args[0] in args[1:]
    if op == "not":
        return not all(args)
    if op == "or":
        return any(args)
    if op == "and":
        return all(args)
    raise ValueError(f"unknown operator {op!r}")


def _variable(path, host_state):
    value = host_state
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) \
            else getattr(value, part, None)
        if value is None:
            return None
    return value


class JsonFilter(scheduler.HostFilter):
    """Rejects hosts for which the ``query`` scheduler hint (a JSON
    expression over host-state attributes) is false.

    Example hint: ``["and", [">=", "$free_ram_mb", 1024],
    ["=", "$hypervisor_type", "fake"]]``. A malformed query rejects every
    host, so the fault names it.
    """

    rejection = "the query hint is false (or malformed) for the host"

    def applies(self, spec):
        return bool(spec.scheduler_hints.get("query"))

    def host_passes(self, host_state, spec):
        query = spec.scheduler_hints["query"]
        try:
            expr = json.loads(query) if isinstance(query, str) else query
            return bool(evaluate(expr, host_state))
        except (ValueError, TypeError):
            return False
