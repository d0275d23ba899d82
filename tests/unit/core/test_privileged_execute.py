"""``privileged.execute``: the contract its callers rely on (output back,
a nimbus exception with the program's stderr on failure, only listed
programs), run for real (no privsep daemon needed: execute itself does
not raise privileges)."""

import signal

import pytest

from nimbus.core import exception, privileged


def test_output_and_stderr_returned():
    out, err = privileged.execute("dd", "status=none",
                                  process_input="hello\n")
    assert (out, err) == ("hello\n", "")


def test_program_not_listed_is_refused_before_running(tmp_path):
    marker = tmp_path / "ran"
    for argv in (("sh", "-c", f"touch {marker}"), ("/usr/bin/truncate",),
                 ()):
        with pytest.raises(exception.PrivilegedArgumentInvalid):
            privileged.execute(*argv)
    assert not marker.exists()


@pytest.mark.parametrize("bad", [True, None, b"x", "a\0b", ["x"]])
def test_arguments_must_be_plain_text_or_numbers(bad):
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        privileged.execute("truncate", "-s", bad, "/nonexistent")


def test_failing_program_raises_with_its_stderr(tmp_path):
    with pytest.raises(exception.PrivilegedCommandFailed) as caught:
        privileged.execute("truncate", "-s", 1, str(tmp_path / "no" / "f"))
    message = str(caught.value)
    assert "exit 1" in message
    assert "truncate -s 1" in message
    assert "No such file or directory" in message


def test_accepted_exit_codes(tmp_path):
    missing = str(tmp_path / "no" / "f")
    assert privileged.execute("truncate", "-s", 1, missing,
                              check_exit_code=[0, 1])[0] == ""
    out, err = privileged.execute("truncate", "-s", 1, missing,
                                  check_exit_code=False)
    assert "No such file" in err
    with pytest.raises(exception.PrivilegedCommandFailed):
        privileged.execute("truncate", "-s", 1, missing,
                           check_exit_code=[0, 2])
    privileged.execute("truncate", "-s", 7, str(tmp_path / "f"))
    assert (tmp_path / "f").stat().st_size == 7


def test_program_out_of_time_is_killed_and_fails():
    with pytest.raises(exception.PrivilegedCommandFailed) as caught:
        privileged.execute("dd", "if=/dev/zero", "of=/dev/null",
                           timeout=0.5)
    assert "killed after 0.5s" in str(caught.value)


def test_environment_given_is_the_whole_environment(monkeypatch):
    monkeypatch.setattr(privileged, "COMMANDS",
                        privileged.COMMANDS | {"env"})
    out, _err = privileged.execute("env", env={"ONLY": "this"})
    assert out.splitlines() == ["ONLY=this"]


def test_child_gets_default_signal_handling(monkeypatch):
    """Python ignores SIGPIPE; the program must not inherit that."""
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    monkeypatch.setattr(privileged, "COMMANDS",
                        privileged.COMMANDS | {"cat"})
    out, _err = privileged.execute("cat", "/proc/self/status")
    ignored = int(next(line for line in out.splitlines()
                       if line.startswith("SigIgn:")).split()[1], 16)
    assert not ignored >> (signal.SIGPIPE - 1) & 1
