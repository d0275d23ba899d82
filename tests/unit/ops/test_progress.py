"""The --wait progress bar: fills with the task states, shows elapsed
time, one line per change off a terminal, redraws on one."""

import io

import pytest

from nimbus.cli import errors, progress


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_bar_fills_with_build_task_states_and_shows_elapsed():
    clock = Clock()
    out = io.StringIO()
    bar = progress.Bar(out, "build", clock=clock)
    bar.update("BUILD", "scheduling")
    bar.update("BUILD", "scheduling")  # unchanged: no new line
    clock.now += 2.5
    bar.update("BUILD", "spawning")
    bar.update("ACTIVE", None, finished=True)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[#####" + "." * 19 + "] BUILD/scheduling")
    assert lines[0].endswith("0.0s")
    assert lines[1].startswith("[" + "#" * 19 + ".....] BUILD/spawning")
    assert lines[1].endswith("2.5s")
    assert lines[2].startswith("[" + "#" * 24 + "] ACTIVE")


def test_bar_never_goes_back():
    bar = progress.Bar(io.StringIO(), "build", clock=Clock())
    assert bar.fraction("spawning") == 0.8
    assert bar.fraction("scheduling") == 0.8


def test_a_known_share_done_fills_the_bar_one_line_per_cell():
    out = io.StringIO()
    bar = progress.Bar(out, "live_migration", clock=Clock())
    bar.update("MIGRATING", "migrating")            # nothing copied yet
    bar.update("MIGRATING", "migrating", done=0.25)
    bar.update("MIGRATING", "migrating", done=0.26)  # same cell: no line
    bar.update("ACTIVE", None, finished=True)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[" + "." * 24 + "] MIGRATING")
    assert lines[1].startswith("[" + "#" * 6 + "." * 18 + "] MIGRATING")
    assert lines[2].startswith("[" + "#" * 24 + "] ACTIVE")


def test_tty_redraws_in_place():
    out = Tty()
    bar = progress.Bar(out, "stop", clock=Clock())
    bar.update("ACTIVE", "powering-off")
    bar.update("SHUTOFF", None, finished=True)
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert text.count("\n") == 1


class FakeCompute:
    def __init__(self, states):
        self.states = list(states)

    def get_server(self, _id):
        status, task = self.states.pop(0) if len(self.states) > 1 \
            else self.states[0]

        class Server:
            pass
        server = Server()
        server.status, server.task_state = status, task
        server.fault = {"message": "no host"} if status == "ERROR" else None
        return server


class Conn:
    def __init__(self, states):
        self.compute = FakeCompute(states)


def test_wait_ends_on_the_status_without_a_task_state():
    out = io.StringIO()
    conn = Conn([("ACTIVE", "pausing"), ("PAUSED", None)])
    server = progress.wait_for_server(conn, "x", "PAUSED", 5, out, "pause",
                                      interval=0)
    assert server.status == "PAUSED"
    assert out.getvalue().splitlines()[-1].startswith("[" + "#" * 24)


def test_wait_reports_error_with_the_fault():
    conn = Conn([("BUILD", "scheduling"), ("ERROR", None)])
    with pytest.raises(errors.CommandError, match="went to ERROR: no host"):
        progress.wait_for_server(conn, "x", "ACTIVE", 5, io.StringIO(),
                                 "build", interval=0)


def test_wait_times_out():
    conn = Conn([("BUILD", "spawning")])
    with pytest.raises(errors.CommandError, match="Timed out after 0 s"):
        progress.wait_for_server(conn, "x", "ACTIVE", 0, io.StringIO(),
                                 "build", interval=0)


def test_find_server_returns_the_sdk_object_by_name():
    from nimbus.cli.commands import server as server_cmd

    class Resp:
        content = b"x"

        def __init__(self, body, status=200):
            self.body, self.status_code = body, status

        def json(self):
            return self.body

    class Compute:
        def request(self, path, method, **kwargs):
            if path == "/servers/web":
                from openstack import exceptions
                raise exceptions.NotFoundException("gone")
            return Resp({"servers": [{"id": "u1", "name": "web"}]})

        def get_server(self, ident):
            return ("sdk", ident)

    class Conn:
        compute = Compute()
    import unittest.mock
    with unittest.mock.patch("openstack.exceptions.raise_from_response"):
        assert server_cmd.find_server(Conn(), "web") == ("sdk", "u1")
