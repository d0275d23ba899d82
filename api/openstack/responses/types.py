"""Building blocks of response schemas (Nova's API reference types)."""

import copy


def obj(properties, required=(), closed=True):
    """An object schema; ``closed`` forbids keys beyond ``properties``."""
    schema = {"type": "object", "properties": dict(properties),
              "required": list(required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items, **extra):
    return dict({"type": "array", "items": items}, **extra)


def evolve(schema, add=None, require=(), drop=()):
    """A copy of the object ``schema`` with keys added, required or
    removed (how a microversion changes a body)."""
    schema = copy.deepcopy(schema)
    schema["properties"].update(add or {})
    for key in require:
        if key not in schema["required"]:
            schema["required"].append(key)
    for key in drop:
        schema["properties"].pop(key, None)
        if key in schema["required"]:
            schema["required"].remove(key)
    return schema


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

#: ``links`` of a resource: its self and bookmark URLs.
LINKS = array(obj({"rel": {"type": "string", "enum": ["self", "bookmark"]},
                   "href": STRING}, required=("rel", "href")))
#: a reference's ``links`` (only the bookmark in Nova's server bodies).
BOOKMARK_LINKS = LINKS
#: ``<collection>_links`` of a paged list: exactly one ``next`` link.
COLLECTION_LINKS = array(obj({"rel": {"const": "next"}, "href": STRING},
                             required=("rel", "href")),
                         minItems=1, maxItems=1)
#: a string-to-string map (metadata, extra specs).
STRING_MAP = {"type": "object", "patternProperties": {"^.+$": STRING},
              "additionalProperties": False}

#: the answer has no body (Nova's 202s and 204s, and the few 200s it
#: sends empty): ``false``, the JSON Schema nothing fits, so a body
#: where Nova sends none fails the check, and the OpenAPI document
#: gives such a response no ``content``.
NO_BODY = False
