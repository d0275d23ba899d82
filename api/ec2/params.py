"""Query-protocol parameters: ``Action=...&InstanceId.1=...&Filter.1.
Name=...&Filter.1.Value.1=...`` read into a tree, with helpers that
raise the EC2 errors clients expect (``MissingParameter``,
``InvalidParameterValue``)."""

import fnmatch
import urllib.parse

from nimbus.core import exception

MAX_PARAMS = 1000


def bad(message):
    return exception.Ec2Error("InvalidParameterValue", message)


def parse_pairs(raw):
    """``[(name, value)]`` of a form body or query string (bytes).

    :raises Ec2Error: not UTF-8, or more than ``MAX_PARAMS`` pairs.
    """
    try:
        text = raw.decode("utf-8")
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True,
                                       errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise bad("The request parameters are not valid UTF-8.")
    if len(pairs) > MAX_PARAMS:
        raise bad(f"Too many parameters (more than {MAX_PARAMS}).")
    return pairs


class Params:
    """The parameters of one request.

    ``flat`` maps each name to its value (the first one when repeated);
    ``tree`` nests dotted names: ``Filter.1.Value.2`` is
    ``tree["Filter"]["1"]["Value"]["2"]``.
    """

    def __init__(self, pairs):
        self.flat = {}
        self.tree = {}
        for name, value in pairs:
            if name in self.flat:
                continue
            self.flat[name] = value
            node = self.tree
            parts = name.split(".")
            for part in parts[:-1]:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise bad(f"Parameter {name} conflicts with another.")
                node = child
            if isinstance(node.get(parts[-1]), dict):
                raise bad(f"Parameter {name} conflicts with another.")
            node[parts[-1]] = value

    def get(self, name, default=None):
        value = self.tree.get(name, default)
        if isinstance(value, dict):
            raise bad(f"Parameter {name} must be a single value.")
        return value

    def require(self, name):
        value = self.get(name)
        if value is None or value == "":
            raise exception.Ec2Error(
                "MissingParameter",
                f"The request must contain the parameter {name}")
        return value

    def integer(self, name, default=None, minimum=None, maximum=None):
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise bad(f"Invalid value '{value}' for {name}: not an "
                       f"integer.")
        if (minimum is not None and number < minimum) or \
                (maximum is not None and number > maximum):
            raise bad(f"Value {number} for {name} is out of range.")
        return number

    def boolean(self, name, default=None):
        value = self.get(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise bad(f"Invalid value '{value}' for {name}: not a "
                       f"boolean.")
        return value.lower() == "true"

    def members(self, name):
        """The items of list parameter ``name`` (``name.1``, ``name.2``,
        ...) in index order: strings or dicts."""
        return indexed(self.tree.get(name), name)

    def strings(self, name):
        values = self.members(name)
        for value in values:
            if isinstance(value, dict):
                raise bad(f"Parameter {name} must be a list of values.")
        return values


def indexed(node, name):
    if node is None:
        return []
    if not isinstance(node, dict):
        raise bad(f"Parameter {name} must be a list ({name}.1, ...).")
    items = []
    for key, value in node.items():
        if not (key.isascii() and key.isdigit()) or not 0 < int(key) <= MAX_PARAMS:
            raise bad(f"Invalid list index in {name}.{key}.")
        items.append((int(key), value))
    return [value for _, value in sorted(items)]


def filters(params, allowed):
    """``{name: [values]}`` of ``Filter.N.Name``/``Filter.N.Value.M``.

    :param allowed: the filter names the action knows; ``tag:<key>``,
        ``tag-key`` and ``tag-value`` are allowed when ``"tag:"`` is.
    :raises Ec2Error: an unknown filter (``InvalidParameterValue``), a
        filter without a name or values.
    """
    result = {}
    for item in params.members("Filter"):
        if not isinstance(item, dict) or not isinstance(
                item.get("Name"), str) or not item["Name"]:
            raise exception.Ec2Error("MissingParameter",
                                     "A filter must have a Name.")
        name = item["Name"]
        known = name in allowed or ("tag:" in allowed and (
            name.startswith("tag:") or name in ("tag-key", "tag-value")))
        if not known:
            raise bad(f"The filter '{name}' is invalid")
        values = indexed(item.get("Value"), f"Filter.{name}.Value")
        if not values or any(not isinstance(v, str) for v in values):
            raise bad(f"The filter '{name}' must have values.")
        result.setdefault(name, []).extend(values)
    return result


def matches(pattern_values, actual):
    """Whether ``actual`` (a value or a list of values) matches one of
    the filter's values; ``*`` and ``?`` are wildcards, as on AWS."""
    actuals = actual if isinstance(actual, (list, tuple, set)) else [actual]
    actuals = ["" if a is None else str(a) for a in actuals]
    for pattern in pattern_values:
        pattern = pattern.replace("[", "[[]")
        for value in actuals:
            if fnmatch.fnmatchcase(value, pattern):
                return True
    return False
