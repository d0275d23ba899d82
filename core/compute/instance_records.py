"""Read-only instance records for views of many servers.

A page of ``GET /servers/detail`` shows up to 1000 servers: building a
versioned :class:`~nimbus.core.objects.instance.Instance` for each (41
fields coerced one by one) was a quarter of the request's CPU. A view
only reads the values, so a listing gets :class:`InstanceRecord` objects
instead: the row's values as attributes, converted as
:meth:`Instance.from_row` converts them (metadata, extra specs, system
metadata and trusted certificates parsed from JSON, ``deleted`` a bool).
Its datetimes are naive UTC (an object's carry a UTC zone); the views
format both alike.
"""

import json


class InstanceRecord:
    """One instance row, read only (see the module)."""

    __slots__ = ("__dict__",)

    def __init__(self, row):
        values = self.__dict__
        values.update(row)
        values["deleted"] = bool(values.get("deleted"))
        values["metadata"] = _loads(values.pop("metadata_json", None))
        for name in ("system_metadata", "extra_specs"):
            value = values.get(name)
            values[name] = _loads(value) if isinstance(value, str) \
                else (value or {})
        certs = values.get("trusted_certs")
        if isinstance(certs, str):
            values["trusted_certs"] = json.loads(certs)

    def __repr__(self):
        return f"InstanceRecord({self.__dict__.get('uuid')})"


def _loads(text):
    """A JSON object column: most are empty."""
    return json.loads(text) if text and text != "{}" else {}


def from_rows(rows):
    return [InstanceRecord(row) for row in rows]
