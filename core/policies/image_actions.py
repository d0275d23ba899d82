"""Rules of the image and recovery actions of a server (Nova's
defaults: shelveOffload and evacuate are for administrators)."""

from nimbus.core.policies import base

A = "/servers/{server_id}/action (%s)"

_RULES = [
    ("os_compute_api:servers:rebuild", base.PROJECT_MEMBER_OR_ADMIN,
     "Rebuild a server from an image", [("POST", A % "rebuild")]),
    ("os_compute_api:servers:rebuild:trusted_certs",
     base.PROJECT_MEMBER_OR_ADMIN,
     "Rebuild a server with trusted image certificates (2.63)",
     [("POST", A % "rebuild")]),
    ("os_compute_api:servers:create_image", base.PROJECT_MEMBER_OR_ADMIN,
     "Snapshot a server into an image", [("POST", A % "createImage")]),
    ("os_compute_api:os-shelve:shelve", base.PROJECT_MEMBER_OR_ADMIN,
     "Shelve a server", [("POST", A % "shelve")]),
    ("os_compute_api:os-shelve:shelve_offload", base.ADMIN,
     "Offload a shelved server from its host",
     [("POST", A % "shelveOffload")]),
    ("os_compute_api:os-shelve:unshelve", base.PROJECT_MEMBER_OR_ADMIN,
     "Unshelve a server", [("POST", A % "unshelve")]),
    ("os_compute_api:os-shelve:unshelve_to_host", base.ADMIN,
     "Unshelve an offloaded server onto a given host (2.91)",
     [("POST", A % "unshelve")]),
    ("os_compute_api:os-rescue", base.PROJECT_MEMBER_OR_ADMIN,
     "Boot a server from a rescue image", [("POST", A % "rescue")]),
    ("os_compute_api:os-unrescue", base.PROJECT_MEMBER_OR_ADMIN,
     "Return a rescued server to its own disk",
     [("POST", A % "unrescue")]),
    ("os_compute_api:os-evacuate", base.ADMIN,
     "Rebuild a server of a host that is down on another host",
     [("POST", A % "evacuate")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
