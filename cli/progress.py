"""``--wait``: a progress bar showing status, task state and elapsed time.

A long operation's progress is read from the server's ``task_state``;
each verb names the task states it passes through, in order, so the bar
fills as the compute service reports them. On a terminal the bar is
redrawn in place; otherwise one line is written per change (logs and
tests see each step).
"""

import time

from nimbus.cli import errors

#: task states of each long operation, in the order they happen.
STEPS = {
    "build": ("scheduling", "networking", "block_device_mapping",
              "spawning"),
    "reboot": ("reboot_pending", "reboot_started", "rebooting"),
    "reboot_hard": ("reboot_pending_hard", "reboot_started_hard",
                    "rebooting_hard"),
    "stop": ("powering-off",),
    "start": ("powering-on",),
    "pause": ("pausing",),
    "unpause": ("unpausing",),
    "suspend": ("suspending",),
    "resume": ("resuming",),
    "delete": ("deleting",),
    "move": ("resize_prep", "resize_migrating", "resize_migrated",
             "resize_finish"),
    "revert": ("resize_reverting",),
    # (a live migration has one task state, ``migrating``: the share
    # copied, from its migration record, fills the bar: ``done``.)
    "rebuild": ("rebuilding", "rebuild_spawning"),
    "evacuate": ("rebuilding", "rebuild_spawning"),
    "shelve": ("shelving", "shelving_image_uploading",
               "shelving_offloading"),
    "shelve_offload": ("shelving_offloading",),
    "unshelve": ("unshelving", "spawning"),
    "rescue": ("rescuing",),
    "unrescue": ("unrescuing",),
}
_WIDTH = 24


class Bar:
    """Draw ``[#####.....] STATUS/task_state  12.3s`` on ``stream``."""

    def __init__(self, stream, operation, clock=time.monotonic):
        self.stream = stream
        self.steps = STEPS.get(operation, ())
        self.clock = clock
        self.started = clock()
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = None
        self._done_steps = 0

    def fraction(self, task_state, finished=False, done=None):
        if finished:
            return 1.0
        if done is not None:
            return min(max(done, 0.0), 1.0)
        if task_state in self.steps:
            self._done_steps = max(self._done_steps,
                                   self.steps.index(task_state) + 1)
        return self._done_steps / (len(self.steps) + 1)

    def line(self, status, task_state, finished=False, done=None):
        filled = int(round(self.fraction(task_state, finished, done) *
                           _WIDTH))
        elapsed = self.clock() - self.started
        state = f"{status}/{task_state}" if task_state else status
        return f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {state:<28} " \
               f"{elapsed:6.1f}s"

    def update(self, status, task_state, finished=False, done=None):
        """Draw a change; ``done`` (0..1), when known, is how much of
        the operation is done and fills the bar instead of the steps."""
        text = self.line(status, task_state, finished, done)
        key = (status, task_state, finished,
               None if done is None else int(round(done * _WIDTH)))
        if self.tty:
            self.stream.write("\r" + text)
            if finished:
                self.stream.write("\n")
        elif key != self._last:
            self.stream.write(text + "\n")
        self._last = key
        self.stream.flush()


def wait_for_server(conn, server_id, status, timeout, stream, operation,
                    interval=0.5):
    """Poll the server until ``status`` (a tuple: any of them; ``None``:
    until it is gone), drawing a progress bar; return the server
    (``None`` when deleted).

    :raises CommandError: the server went to ERROR, or ``timeout``
        seconds passed.
    """
    from openstack import exceptions as sdk_exceptions
    bar = Bar(stream, operation)
    wanted = status if isinstance(status, tuple) else (status,)
    deadline = time.monotonic() + timeout
    while True:
        try:
            server = conn.compute.get_server(server_id)
        except sdk_exceptions.NotFoundException:
            if status is None:
                bar.update("DELETED", None, finished=True)
                return None
            raise
        if status is not None and server.status in wanted and \
                not server.task_state:
            bar.update(server.status, None, finished=True)
            return server
        bar.update(server.status, server.task_state)
        if server.status == "ERROR" and "ERROR" not in wanted:
            reason = (server.fault or {}).get("message", "unknown reason")
            stream.write("\n" if bar.tty else "")
            raise errors.CommandError(
                f"Server {server_id} went to ERROR: {reason}")
        if time.monotonic() > deadline:
            stream.write("\n" if bar.tty else "")
            raise errors.CommandError(
                f"Timed out after {timeout} s waiting for server "
                f"{server_id} to be {status or 'deleted'}")
        time.sleep(interval)
