"""Every identity and image route, as admin, member, reader and a member
of another project (see ``test_policy_matrix`` for the compute ones)."""

from tests.functional.api.conftest import PASSWORD
from tests.functional.api.policy_matrix import (
    ADMIN_ONLY,
    ALL_OK,
    OWNER_DELETE,
    OWNER_READ,
    OWNER_WRITE,
    Env,
    Row,
    codes,
    run,
    same,
)

V3 = "/identity/v3"
GRANT = V3 + "/projects/{demo}/users/{user_id}/roles/{reader_role}"
IMAGES = "/image/v2/images"
EC2_CREDS = V3 + "/users/{member_user}/credentials/OS-EC2"
ADMIN_WRITE = codes(201, 403, 403, 403)
ADMIN_DELETE = codes(204, 403, 403, 403)
SUBJECT_ONLY = codes(200, 200, 403, 403)


def password_auth(user):
    return {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "password": PASSWORD,
                 "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": "demo",
                              "domain": {"name": "Default"}}}}}


def _token(env, who):
    resp = env.request("member", "POST", V3 + "/auth/tokens",
                       password_auth("member"))
    assert resp.status_code == 201, resp.text
    return {"subject": resp.headers["X-Subject-Token"]}


def _user(grant=False):
    def fresh(env, who):
        user = env.call("admin", "POST", V3 + "/users", {
            "user": {"name": env.unique("user")}})["user"]
        if grant:
            env.call("admin", "PUT", GRANT.format(
                user_id=user["id"], **env.ids))
        return {"user_id": user["id"]}
    return fresh


def _ec2_credential(env, who):
    cred = env.call("member", "POST", EC2_CREDS.format(**env.ids),
                    {"tenant_id": env.ids["demo"]})["credential"]
    return {"access": cred["access"]}


def _project(env, who):
    """The admin deletes a scratch project; the others try their own
    (or, for the other project's member, the demo project)."""
    if who != "admin":
        return {"project_id": env.ids["demo"]}
    project = env.call("admin", "POST", V3 + "/projects", {
        "project": {"name": env.unique("project")}})["project"]
    return {"project_id": project["id"]}


def _image(env, who):
    image = env.call("member", "POST", IMAGES, {
        "name": "fresh", "visibility": "private"})
    return {"image_id": image["id"]}


def identity_rows():
    subject = {"X-Subject-Token": "{subject}"}
    return [
        Row("GET", "/identity", same(300)),
        Row("GET", V3, ALL_OK),
        Row("POST", V3 + "/auth/tokens", same(201),
            password_auth("member")),
        Row("GET", V3 + "/auth/tokens", SUBJECT_ONLY,
            headers={"X-Subject-Token": "{member_token}"}),
        Row("DELETE", V3 + "/auth/tokens", codes(204, 204, 403, 403),
            headers=subject, fresh=_token),
        Row("GET", V3 + "/domains", ADMIN_ONLY),
        Row("GET", V3 + "/domains/default", ALL_OK),
        Row("GET", V3 + "/projects", ADMIN_ONLY),
        Row("POST", V3 + "/projects", ADMIN_WRITE,
            {"project": {"name": "new-project"}}),
        Row("GET", V3 + "/projects/{demo}", codes(200, 200, 200, 403)),
        Row("DELETE", V3 + "/projects/{project_id}", ADMIN_DELETE,
            fresh=_project),
        Row("GET", V3 + "/projects/{demo}/users/{member_user}/roles",
            ADMIN_ONLY),
        Row("GET", V3 + "/projects/{demo}/users/{member_user}/roles/"
            "{member_role}", ADMIN_DELETE),
        Row("PUT", GRANT, ADMIN_DELETE, fresh=_user()),
        Row("DELETE", GRANT, ADMIN_DELETE, fresh=_user(grant=True)),
        Row("GET", V3 + "/users", ADMIN_ONLY),
        Row("POST", V3 + "/users", ADMIN_WRITE,
            {"user": {"name": "new-user"}}),
        Row("GET", V3 + "/users/{member_user}", SUBJECT_ONLY),
        Row("PATCH", V3 + "/users/{member_user}", ADMIN_ONLY,
            {"user": {"enabled": True}}),
        Row("DELETE", V3 + "/users/{user_id}", ADMIN_DELETE,
            fresh=_user()),
        Row("GET", EC2_CREDS, SUBJECT_ONLY),
        Row("POST", EC2_CREDS, codes(201, 201, 403, 403), {}),
        Row("GET", EC2_CREDS + "/{member_ec2}", SUBJECT_ONLY),
        Row("DELETE", EC2_CREDS + "/{access}", codes(204, 204, 403, 403),
            fresh=_ec2_credential),
        Row("GET", V3 + "/roles", ADMIN_ONLY),
        Row("GET", V3 + "/roles/{member_role}", ADMIN_ONLY),
        Row("GET", V3 + "/role_assignments", ADMIN_ONLY),
    ]


def _tagged_image(env, who):
    ids = _image(env, who)
    env.call("member", "PUT", f"{IMAGES}/{ids['image_id']}/tags/t1")
    return ids


def _shared_image(env, who):
    image = env.call("member", "POST", IMAGES, {"name": "fresh-shared",
                                                "visibility": "shared"})
    return {"image_id": image["id"]}


def _shared_with_other(env, who):
    ids = _shared_image(env, who)
    env.call("member", "POST", f"{IMAGES}/{ids['image_id']}/members",
             {"member": env.ids["other_project"]})
    return ids


PATCH_NAME = [{"op": "replace", "path": "/name", "value": "renamed"}]
PATCH_TYPE = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
MEMBER = IMAGES + "/{image_id}/members/{other_project}"


def image_rows():
    return [
        Row("GET", "/image", same(300)),
        Row("GET", "/image/versions", ALL_OK),
        Row("GET", "/image/v2", same(300)),
        Row("GET", IMAGES, ALL_OK),
        Row("POST", IMAGES, codes(201, 201, 403, 201),
            {"name": "i", "disk_format": "raw",
             "container_format": "bare"}),
        Row("POST", IMAGES, ADMIN_WRITE,
            {"name": "pub", "visibility": "public"}),
        Row("GET", IMAGES + "/{image}", OWNER_READ),
        # Created without a visibility: "shared", and with no members
        # nobody outside the owner's project may see it.
        Row("GET", IMAGES + "/{shared_image}", OWNER_READ),
        Row("DELETE", IMAGES + "/{image_id}", OWNER_DELETE, fresh=_image),
        Row("PUT", IMAGES + "/{image_id}/file", codes(204, 204, 403, 404),
            b"data", fresh=_image),
        Row("GET", IMAGES + "/{image}/file", OWNER_READ),
        Row("GET", IMAGES + "/{shared_image}/file", OWNER_READ),
        Row("PATCH", IMAGES + "/{image_id}", OWNER_WRITE, PATCH_NAME,
            fresh=_image, headers=PATCH_TYPE),
        Row("PUT", IMAGES + "/{image_id}/tags/t1", codes(204, 204, 403, 404),
            fresh=_image),
        Row("DELETE", IMAGES + "/{image_id}/tags/t1",
            codes(204, 204, 403, 404), fresh=_tagged_image),
        Row("POST", IMAGES + "/{image_id}/members", OWNER_WRITE,
            {"member": "{other_project}"}, fresh=_shared_image),
        Row("GET", IMAGES + "/{shared_image}/members", OWNER_READ),
        # A pending member sees the image and its own membership, and
        # alone may accept it; only the owner (or an admin) removes it.
        Row("GET", MEMBER, ALL_OK, fresh=_shared_with_other),
        Row("PUT", MEMBER, codes(200, 403, 403, 200),
            {"status": "accepted"}, fresh=_shared_with_other),
        Row("DELETE", MEMBER, codes(204, 204, 403, 403),
            fresh=_shared_with_other),
    ]


def rows():
    return identity_rows() + image_rows()


def _setup(cloud):
    env = Env(cloud)
    ids = env.ids
    ids["member_token"] = env.tokens["member"]
    ids["member_user"] = env.call("admin", "GET", V3 + "/users", query={
        "name": "member"})["users"][0]["id"]
    ids["member_ec2"] = env.call("member", "POST", EC2_CREDS.format(**ids),
                                 {})["credential"]["access"]
    for role in ("member", "reader"):
        ids[role + "_role"] = env.call("admin", "GET", V3 + "/roles", query={
            "name": role})["roles"][0]["id"]
    for name, visibility in (("image", "private"), ("shared_image", None)):
        body = {"name": name}
        if visibility:
            body["visibility"] = visibility
        ids[name] = env.call("member", "POST", IMAGES, body)["id"]
        env.call("member", "PUT", f"{IMAGES}/{ids[name]}/file", b"bits")
    return env


def test_policy_matrix_identity_image(cloud):
    env = _setup(cloud)
    wrong = run(env, rows())
    assert not wrong, "\n".join(map(str, wrong))
