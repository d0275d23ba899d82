"""Rules of the Identity v3 subset nimbus serves."""

from nimbus.core.policies import base

SUBJECT = base.ADMIN + " or user_id:%(user_id)s"

_RULES = [
    ("identity:validate_token", SUBJECT,
     "Check a token: an admin, or the token's own user",
     [("GET", "/v3/auth/tokens")]),
    ("identity:revoke_token", SUBJECT,
     "Revoke a token: an admin, or the token's own user",
     [("DELETE", "/v3/auth/tokens")]),
    ("identity:list_domains", base.ADMIN, "List domains",
     [("GET", "/v3/domains")]),
    ("identity:get_domain", "",
     "Show a domain: everyone's projects are in the one domain",
     [("GET", "/v3/domains/{domain_id}")]),
    ("identity:list_projects", base.ADMIN, "List projects",
     [("GET", "/v3/projects")]),
    ("identity:get_project", base.ADMIN + " or project_id:%(target_id)s",
     "Show a project", [("GET", "/v3/projects/{project_id}")]),
    ("identity:create_project", base.ADMIN, "Create a project",
     [("POST", "/v3/projects")]),
    ("identity:delete_project", base.ADMIN, "Delete a project",
     [("DELETE", "/v3/projects/{project_id}")]),
    ("identity:list_users", base.ADMIN, "List users",
     [("GET", "/v3/users")]),
    ("identity:get_user", base.ADMIN + " or user_id:%(target_id)s",
     "Show a user", [("GET", "/v3/users/{user_id}")]),
    ("identity:create_user", base.ADMIN, "Create a user",
     [("POST", "/v3/users")]),
    ("identity:update_user", base.ADMIN, "Change a user",
     [("PATCH", "/v3/users/{user_id}")]),
    ("identity:delete_user", base.ADMIN, "Delete a user",
     [("DELETE", "/v3/users/{user_id}")]),
    ("identity:list_roles", base.ADMIN, "List roles",
     [("GET", "/v3/roles")]),
    ("identity:create_grant", base.ADMIN, "Grant a role on a project",
     [("PUT", "/v3/projects/{p}/users/{u}/roles/{r}")]),
    ("identity:revoke_grant", base.ADMIN, "Revoke a role on a project",
     [("DELETE", "/v3/projects/{p}/users/{u}/roles/{r}")]),
    ("identity:list_role_assignments", base.ADMIN,
     "List role assignments", [("GET", "/v3/role_assignments")]),
    ("identity:ec2_list_credentials", SUBJECT,
     "List a user's EC2 credentials: an admin, or the user",
     [("GET", "/v3/users/{user_id}/credentials/OS-EC2")]),
    ("identity:ec2_get_credential", SUBJECT,
     "Show an EC2 credential: an admin, or its user",
     [("GET", "/v3/users/{user_id}/credentials/OS-EC2/{access}")]),
    ("identity:ec2_create_credential", SUBJECT,
     "Create an EC2 credential: an admin, or the user",
     [("POST", "/v3/users/{user_id}/credentials/OS-EC2")]),
    ("identity:ec2_delete_credential", SUBJECT,
     "Delete an EC2 credential: an admin, or its user",
     [("DELETE", "/v3/users/{user_id}/credentials/OS-EC2/{access}")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
