"""Schemathesis hooks for the dialects' documents (loaded through
``SCHEMATHESIS_HOOKS`` by :mod:`tests.functional.api.fuzzing`): Glance's
JSON patch media type is JSON."""

import schemathesis

schemathesis.serializer.alias(
    "application/openstack-images-v2.1-json-patch", "application/json")
