"""Rules of the Image v2 subset nimbus serves."""

from nimbus.core.policies import base

I = "/v2/images/{image_id}"  # noqa: E741

_RULES = [
    ("image:get_images", base.ANY_READER, "List images",
     [("GET", "/v2/images")]),
    ("image:get_image", base.ANY_READER, "Show an image", [("GET", I)]),
    ("image:add_image", base.PROJECT_MEMBER_OR_ADMIN, "Create an image",
     [("POST", "/v2/images")]),
    ("image:publicize_image", base.ADMIN, "Create a public image",
     [("POST", "/v2/images")]),
    ("image:upload_image", base.PROJECT_MEMBER_OR_ADMIN,
     "Upload image data", [("PUT", I + "/file")]),
    ("image:download_image", base.ANY_READER, "Download image data",
     [("GET", I + "/file")]),
    ("image:delete_image", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete an image", [("DELETE", I)]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
