"""Rules of the migration records: os-migrations and a server's
migrations (administrators only, as in Nova)."""

from nimbus.core.policies import base

S = "/servers/{server_id}/migrations"

_RULES = [
    ("os_compute_api:os-migrations:index", base.ADMIN,
     "List migrations", [("GET", "/os-migrations")]),
    ("os_compute_api:servers:migrations:index", base.ADMIN,
     "List a server's migrations in progress", [("GET", S)]),
    ("os_compute_api:servers:migrations:show", base.ADMIN,
     "Show a server's migration", [("GET", S + "/{migration_id}")]),
    ("os_compute_api:os-migrate-server:migrate_live", base.ADMIN,
     "Live-migrate a server to another host",
     [("POST", "/servers/{server_id}/action (os-migrateLive)")]),
    ("os_compute_api:servers:migrations:delete", base.ADMIN,
     "Abort a running live migration",
     [("DELETE", S + "/{migration_id}")]),
    ("os_compute_api:servers:migrations:force_complete", base.ADMIN,
     "Force a running live migration to complete",
     [("POST", S + "/{migration_id}/action (force_complete)")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
