"""Rules of the Image v2 subset nimbus serves."""

from nimbus.core.policies import base

I = "/v2/images/{image_id}"  # noqa: E741
M = I + "/members"
OWN_MEMBERSHIP = ("(role:member and project_id:%(member_id)s) or "
                  "rule:context_is_admin")

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
    ("image:modify_image", base.PROJECT_MEMBER_OR_ADMIN,
     "Change an image (the owner's project) and its tags",
     [("PATCH", I), ("PUT", I + "/tags/{tag}"),
      ("DELETE", I + "/tags/{tag}")]),
    ("image:communitize_image", base.PROJECT_MEMBER_OR_ADMIN,
     "Make an image community", [("PATCH", I)]),
    ("image:add_member", base.PROJECT_MEMBER_OR_ADMIN,
     "Share an image with a project", [("POST", M)]),
    ("image:get_members", base.ANY_READER,
     "List an image's members (a member sees itself)", [("GET", M)]),
    ("image:get_member", base.ANY_READER,
     "Show a member of an image", [("GET", M + "/{member_id}")]),
    ("image:modify_member", OWN_MEMBERSHIP,
     "Accept or reject an image shared with one's project",
     [("PUT", M + "/{member_id}")]),
    ("image:delete_member", base.PROJECT_MEMBER_OR_ADMIN,
     "Stop sharing an image with a project",
     [("DELETE", M + "/{member_id}")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
