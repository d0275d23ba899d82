"""EC2 XML: responses in the EC2 namespace, and error documents.

A response body is a ``dict`` rendered in order: a ``dict`` value is an
element with children, a ``list`` an element with one ``<item>`` per
member, ``True``/``False`` ``true``/``false``, a ``datetime`` ISO 8601 in
UTC, ``None`` nothing at all (the element is left out).
"""

import datetime
import re
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry (user input echoed in a message).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text):
    return _NOT_XML.sub("\ufffd", str(text))


def iso(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{value.microsecond // 1000:03d}Z"


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return iso(value)
    return clean(value)


def _write(out, name, value):
    """Append ``<name>value</name>`` to ``out`` (a list of strings):
    built as text rather than as an ElementTree, which costs several
    times more on a DescribeInstances of a thousand instances."""
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for child_name, child in value.items():
            if child is not None:
                _write(out, child_name, child)
        out.append(f"</{name}>")
    elif isinstance(value, (list, tuple)):
        out.append(f"<{name}>")
        for child in value:
            _write(out, "item", "" if child is None else child)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{escape(_text(value))}</{name}>")


def response(action, request_id, body):
    """``<{action}Response xmlns=...><requestId>...`` + ``body``."""
    out = [f'<{action}Response xmlns="{NAMESPACE}">',
           f"<requestId>{escape(request_id)}</requestId>"]
    for name, value in body.items():
        if value is not None:
            _write(out, name, value)
    out.append(f"</{action}Response>")
    return HEADER + "".join(out).encode("utf-8")


def error(code, message, request_id):
    """The error document botocore parses into ``ClientError``."""
    root = ET.Element("Response")
    errors = ET.SubElement(ET.SubElement(root, "Errors"), "Error")
    ET.SubElement(errors, "Code").text = clean(code)
    ET.SubElement(errors, "Message").text = clean(message)
    ET.SubElement(root, "RequestID").text = request_id
    return HEADER + ET.tostring(root, encoding="utf-8")
