"""Transient states of an instance (``task_state``; None when idle)."""

SCHEDULING = "scheduling"
BLOCK_DEVICE_MAPPING = "block_device_mapping"
NETWORKING = "networking"
SPAWNING = "spawning"

REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"

PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"

DELETING = "deleting"

# Cold moves (resize, migrate): conductor's workflow, then the user's
# confirm or revert.
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
RESIZE_CONFIRMING = "resize_confirming"

# Live migration: conductor's checks, then the source compute's copy.
MIGRATING = "migrating"
# Image workflows (Nova's names).
REBUILDING = "rebuilding"
REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
REBUILD_SPAWNING = "rebuild_spawning"
IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_UPLOADING = "image_uploading"
SHELVING = "shelving"
SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
UPDATING_PASSWORD = "updating_password"

IMAGE_SNAPSHOT_STATES = (IMAGE_SNAPSHOT_PENDING, IMAGE_SNAPSHOT,
                         IMAGE_UPLOADING)

BUILD_STATES = (SCHEDULING, BLOCK_DEVICE_MAPPING, NETWORKING, SPAWNING)
SOFT_REBOOT_STATES = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
HARD_REBOOT_STATES = (REBOOTING_HARD, REBOOT_PENDING_HARD,
                      REBOOT_STARTED_HARD)
RESIZE_STATES = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED,
                 RESIZE_FINISH)
#: task states of moves: conductor drives them (and settles interrupted
#: ones), so a compute's restart leaves them alone.
MOVE_STATES = RESIZE_STATES + (RESIZE_REVERTING, RESIZE_CONFIRMING)
#: moves and live migrations: settled by their workflows' own recovery,
#: never by a sweep for abandoned task states.
SELF_RECOVERING_STATES = MOVE_STATES + (MIGRATING,)
