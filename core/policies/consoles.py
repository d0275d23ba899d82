"""Rules of remote consoles: console URLs for a server's owner, console
token look-ups for administrators (as in Nova)."""

from nimbus.core.policies import base

S = "/servers/{server_id}"

_RULES = [
    ("os_compute_api:os-remote-consoles", base.PROJECT_MEMBER_OR_ADMIN,
     "Get a URL of a server's remote console",
     [("POST", S + "/action (os-getVNCConsole)"),
      ("POST", S + "/remote-consoles")]),
    ("os_compute_api:os-console-auth-tokens", base.ADMIN,
     "Show what a console auth token connects to",
     [("GET", "/os-console-auth-tokens/{console_token}")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
