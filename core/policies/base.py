"""Base rules every other rule is built from."""

from oslo_policy import policy

ADMIN = "rule:context_is_admin"
PROJECT_READER = "rule:project_reader_api"
PROJECT_MEMBER = "rule:project_member_api"
PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin"
PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin"
ANY_READER = "role:reader or rule:context_is_admin"

RULES = [
    policy.RuleDefault("context_is_admin", "role:admin",
                       "Decides what an administrator is."),
    policy.RuleDefault("project_reader_api",
                       "role:reader and project_id:%(project_id)s",
                       "A reader of the project owning the resource."),
    policy.RuleDefault("project_member_api",
                       "role:member and project_id:%(project_id)s",
                       "A member of the project owning the resource."),
    policy.RuleDefault("project_reader_or_admin",
                       "rule:project_reader_api or rule:context_is_admin",
                       "A project reader, or an administrator."),
    policy.RuleDefault("project_member_or_admin",
                       "rule:project_member_api or rule:context_is_admin",
                       "A project member, or an administrator."),
]


def op(name, check, description, operations):
    """Return a DocumentedRuleDefault for ``operations`` of a path."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{"method": m, "path": p} for m, p in operations],
        scope_types=["project"])


def list_rules():
    return RULES
