"""Volume, snapshot and attachment statuses (Cinder's names).

Volume::

    creating -> available | error
    available -> attaching -> in-use -> detaching -> available
    available | in-use -> extending -> available | in-use
                                   (error_extending on failure)
    available | error | error_* -> deleting -> (gone) | error_deleting
    available -> uploading -> available
    in-use -> downloading -> in-use | error  (re-imaged for a rebuild)

Snapshot: creating -> available | error; available | error -> deleting
-> (gone) | error_deleting.
"""

CREATING = "creating"
AVAILABLE = "available"
ATTACHING = "attaching"
IN_USE = "in-use"
DETACHING = "detaching"
EXTENDING = "extending"
UPLOADING = "uploading"
#: Cinder's status while an image is written onto a volume (re-image).
DOWNLOADING = "downloading"
DELETING = "deleting"
ERROR = "error"
ERROR_DELETING = "error_deleting"
ERROR_EXTENDING = "error_extending"

#: statuses a volume host works through; a record left in one past
#: ``[volume] operation_timeout`` is recovered.
TRANSIENT = (CREATING, EXTENDING, UPLOADING, DELETING, DOWNLOADING)

#: statuses a volume may be deleted from (without ``force``).
DELETABLE = (AVAILABLE, ERROR, ERROR_EXTENDING, ERROR_DELETING)

#: statuses ``force`` delete also accepts (a volume stuck mid-operation;
#: never one being attached or detached).
FORCE_DELETABLE = DELETABLE + (CREATING, EXTENDING, UPLOADING, DELETING,
                               DOWNLOADING)

SNAPSHOT_TRANSIENT = (CREATING, DELETING)

#: attachment rows.
ATTACH_ATTACHING = "attaching"
ATTACH_ATTACHED = "attached"
ATTACH_DETACHING = "detaching"
