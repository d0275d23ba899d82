"""Server metadata keys are Nova's ``parameter_types.metadata`` keys:
letters, digits and ``-_:. `` (anything else is a 400), wherever
metadata is set: create, the metadata routes, rebuild, createImage."""

import pytest

from nimbus.api import http
from nimbus.api.openstack import schemas, schemas_image_actions
from nimbus.core import exception

_IMAGE_ACTIONS = schemas_image_actions.ACTIONS


@pytest.mark.parametrize("schema, wrap", [
    (schemas.METADATA, lambda m: {"metadata": m}),
    (schemas.METADATA_ITEM, lambda m: {"meta": m}),
    (schemas.SERVER_CREATE, lambda m: {"server": {
        "name": "s", "flavorRef": "1", "metadata": m}}),
    (_IMAGE_ACTIONS["rebuild"], lambda m: {"imageRef": "i", "metadata": m}),
    (_IMAGE_ACTIONS["createImage"], lambda m: {"name": "i", "metadata": m}),
])
def test_metadata_keys(schema, wrap):
    http.validate(wrap({"Az09-_:. x": "v"}), schema)
    for key in ("a/b", "ключ", "a\nb", "a=b"):
        with pytest.raises(exception.ValidationError):
            http.validate(wrap({key: "v"}), schema)
