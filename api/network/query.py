"""Neutron's list query language over rendered resources.

A list request may carry, besides filters, ``fields``, ``sort_key`` /
``sort_dir``, ``limit`` / ``marker`` / ``page_reverse``, and the tag
filters. Neutron's rules, as stock clients rely on them:

* any attribute of the resource is a filter; a repeated key matches any
  of its values (OR), different keys must all match (AND); an unknown
  key is a 400 naming it (Neutron's ``filter-validation``);
* values arrive as text: booleans in Python or JSON spelling (``True``,
  ``false``, ``1``), integers as digits; a list attribute matches when
  it contains the value; ``fixed_ips=ip_address=10.0.0.3`` (or
  ``subnet_id=``) matches a port's addresses;
* ``fields`` (repeatable) keeps only those keys;
* ``sort_key``/``sort_dir`` are paired lists; ``limit`` pages after
  ``marker`` (an id) and a ``<collection>_links`` ``next`` link is given
  while more items remain.

The filtering runs on the dicts the views render, so every attribute a
client can see can be filtered and sorted the same way.
"""

import urllib.parse

from nimbus.core import exception

PAGING = ("fields", "sort_key", "sort_dir", "limit", "marker",
          "page_reverse")
TAGS = ("tags", "tags-any", "not-tags", "not-tags-any")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def bad(attribute, reason):
    """The 400 of a bad query parameter, naming it."""
    return exception.ValidationError(field=attribute, reason=reason)


def to_bool(attribute, text):
    """Parse a query boolean (``True``, ``false``, ``1``, ...)."""
    lowered = str(text).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise bad(attribute, f"'{text}' is not a valid boolean value")


def to_int(attribute, text, minimum=None):
    try:
        value = int(str(text).strip())
    except ValueError:
        raise bad(attribute, f"'{text}' is not an integer")
    if minimum is not None and value < minimum:
        raise bad(attribute, f"'{text}' should be >= {minimum}")
    return value


def _matches(attribute, have, wanted):
    """Whether one rendered value matches one query value."""
    if isinstance(have, bool):
        return have == to_bool(attribute, wanted)
    if isinstance(have, int):
        return str(have) == wanted.strip()
    if isinstance(have, list):
        if attribute == "fixed_ips":
            key, sep, value = wanted.partition("=")
            if not sep or key not in ("ip_address", "subnet_id"):
                raise bad(attribute, "use fixed_ips=ip_address=<address> "
                          "or fixed_ips=subnet_id=<id>")
            return any(ip.get(key) == value for ip in have)
        return any(isinstance(item, str) and item == wanted
                   for item in have)
    if isinstance(have, dict):
        raise bad(attribute, "this attribute cannot be filtered on")
    if have is None:
        return wanted in ("", "None", "null")
    return str(have) == wanted


def _tag_filters(get):
    """Tag queries (resources carry ``tags``: a list)."""
    out = {}
    for key in TAGS:
        values = [tag for value in get.getall(key)
                  for tag in value.split(",") if tag]
        if values:
            out[key] = set(values)
    return out


def _tags_match(tags, wanted):
    tags = set(tags or ())
    return (("tags" not in wanted or wanted["tags"] <= tags) and
            ("tags-any" not in wanted or wanted["tags-any"] & tags) and
            ("not-tags" not in wanted or not wanted["not-tags"] <= tags)
            and ("not-tags-any" not in wanted or
                 not wanted["not-tags-any"] & tags))


class ListQuery:
    """The parsed query of one list request.

    :param get: the request's ``webob.multidict.MultiDict`` of query
        parameters.
    :param attributes: the attribute names a rendered item has (the
        filters the collection accepts).
    :param max_limit: the largest page (``[api] max_limit``).
    """

    def __init__(self, get, attributes, max_limit):
        self.attributes = frozenset(attributes)
        self.filters = {}
        for key in get.keys():
            if key in PAGING or key in TAGS or key in self.filters:
                continue
            if key not in self.attributes:
                raise bad(key, f"'{key}' is not a valid filter")
            self.filters[key] = get.getall(key)
        self.tags = _tag_filters(get)
        self.fields = [f for value in get.getall("fields")
                       for f in value.split(",") if f]
        self.sort = self._sort(get)
        self.limit = None
        if get.get("limit") not in (None, ""):
            self.limit = min(to_int("limit", get["limit"], 0), max_limit)
            self.limit = self.limit or max_limit
        self.marker = get.get("marker") or None
        self.reverse = to_bool("page_reverse",
                               get.get("page_reverse", "false"))

    def _sort(self, get):
        keys, dirs = get.getall("sort_key"), get.getall("sort_dir")
        if dirs and len(dirs) != len(keys):
            raise bad("sort_dir", "give one sort_dir per sort_key")
        sort = []
        for i, key in enumerate(keys):
            if key not in self.attributes:
                raise bad("sort_key", f"'{key}' is not a valid sort key")
            direction = dirs[i] if dirs else "asc"
            if direction not in ("asc", "desc"):
                raise bad("sort_dir", f"'{direction}' is not asc or desc")
            sort.append((key, direction == "desc"))
        return sort

    def service_filters(self, supported):
        """The single-valued filters the service API can apply itself
        (``supported``: their names); the rest are applied here."""
        return {key: values[0] for key, values in self.filters.items()
                if key in supported and len(values) == 1}

    def matches(self, item):
        for key, values in self.filters.items():
            if not any(_matches(key, item.get(key), v) for v in values):
                return False
        return _tags_match(item.get("tags"), self.tags)

    def apply(self, items):
        """Filter, sort and page rendered items.

        :returns: ``(page, more)``: the items of this page, and whether
            items remain after it.
        """
        items = [item for item in items if self.matches(item)]
        if self.sort or self.limit is not None or self.marker:
            for key, descending in reversed(
                    self.sort + [("id", False)]):
                items.sort(key=lambda i, k=key: _sortable(i.get(k)),
                           reverse=descending)
        if self.reverse:
            items.reverse()
        if self.marker:
            ids = [item["id"] for item in items]
            if self.marker not in ids:
                raise bad("marker", f"marker {self.marker} was not found")
            items = items[ids.index(self.marker) + 1:]
        more = False
        if self.limit is not None and len(items) > self.limit:
            items, more = items[:self.limit], True
        if self.reverse:
            items.reverse()
        return items, more

    def project(self, item):
        """``item`` with only the requested ``fields`` (all without)."""
        if not self.fields:
            return item
        return {key: value for key, value in item.items()
                if key in self.fields}

    def next_link(self, url, get, last_id):
        """The ``next`` link of a page ending with ``last_id``."""
        params = [(k, v) for k, v in get.items() if k != "marker"]
        params.append(("marker", last_id))
        return {"rel": "next",
                "href": url + "?" + urllib.parse.urlencode(params)}


def _sortable(value):
    """A sort key that orders None first and never compares types."""
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (2, value)
    return (3, str(value))
