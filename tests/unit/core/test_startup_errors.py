"""Start-up mistakes end in one line naming the option, not a traceback."""

import os
import socket
import subprocess
import sys

import pytest
from oslo_db import exception as db_exc

from nimbus.core import bootstrap, exception
from nimbus.core.db import url_check


@pytest.mark.parametrize("url, expected", [
    ("notaurl", "is not a database URL"),
    ("bogus://x", "unknown database kind 'bogus'"),
    ("mysql+mysqldb://root@h/db",
     "driver (MySQLdb) is not installed; install it with pip install "
     "'nimbus[mysql]' and use a mysql+pymysql:// URL"),
])
def test_bad_urls_are_one_line(url, expected):
    with pytest.raises(exception.ConfigError) as info:
        url_check.check_url(url)
    message = str(info.value)
    assert message.startswith("Configuration error: [database] connection")
    assert expected in message
    assert "\n" not in message


def test_passwords_are_hidden():
    shown = url_check.check_url("sqlite:///x.db")
    assert shown == "sqlite:///x.db"
    with pytest.raises(exception.ConfigError) as info:
        url_check.check_url("mysql+mysqldb://u:s3cret@h/db")
    assert "s3cret" not in str(info.value)


def test_unreachable_database_is_one_line():
    def get_engine():
        raise db_exc.DBConnectionError("could not connect\nsecond line")

    with pytest.raises(exception.ConfigError) as info:
        url_check.check_reachable(get_engine, "postgresql+psycopg2://h/db")
    assert str(info.value) == (
        "Configuration error: [database] connection "
        "postgresql+psycopg2://h/db: cannot connect: could not connect")


def _daemon(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def test_daemon_on_an_empty_database_says_db_sync(tmp_path):
    conf = tmp_path / "n.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n"
                    "transport_url = fake://\n")
    result = subprocess.run([_daemon("nimbus-conductor"), "--config-file",
                             str(conf)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "nimbus-conductor: Configuration error: the database has no nimbus "
        "schema: run nimbus-manage db sync")


def test_conductor_without_its_driver_exits_2(tmp_path):
    conf = tmp_path / "n.conf"
    conf.write_text("[DEFAULT]\ntransport_url = fake://\n"
                    "[database]\nconnection = mysql+mysqldb://root@h/db\n")
    result = subprocess.run([_daemon("nimbus-conductor"), "--config-file",
                             str(conf)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "nimbus-conductor: Configuration error: [database] connection "
        "mysql+mysqldb://root@h/db: its driver (MySQLdb) is not installed; "
        "install it with pip install 'nimbus[mysql]' and use a "
        "mysql+pymysql:// URL"]


def test_api_port_in_use_exits_2(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        conf = tmp_path / "n.conf"
        conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n"
                        f"transport_url = fake://\n"
                        f"[api]\nbind_port = {port}\n")
        subprocess.run([_daemon("nimbus-manage"), "--config-file", str(conf),
                        "db", "sync"], check=True, capture_output=True,
                       timeout=120)
        result = subprocess.run([_daemon("nimbus-api"), "--config-file",
                                 str(conf)], capture_output=True, text=True,
                                timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"nimbus-api: Configuration error: cannot listen on "
        f"127.0.0.1:{port} ([api] bind_host/bind_port): ")
    assert "Address already in use" in lines[0]


class _Conf:
    def __init__(self, url, timeout=2):
        self.transport_url = url
        self.broker_startup_timeout = timeout


def _clock(ticks):
    now = [0.0]

    def clock():
        now[0] += ticks
        return now[0]
    return clock


def test_unreachable_broker_is_one_line_without_password():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, not listening: refused
        conf = _Conf(f"rabbit://guest:s3cret@127.0.0.1:{closed}/vhost")
        with pytest.raises(exception.ConfigError) as info:
            bootstrap.wait_for_broker(conf, sleep=lambda _: None,
                                      clock=_clock(1))
    message = str(info.value)
    assert "s3cret" not in message
    assert message == (
        f"Configuration error: cannot reach the message broker of "
        f"transport_url rabbit://guest:***@127.0.0.1:{closed}/vhost within "
        f"2 s (127.0.0.1:{closed}: Connection refused)")


def test_broker_answering_passes_and_fake_is_skipped():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        bootstrap.wait_for_broker(
            _Conf(f"rabbit://guest:guest@127.0.0.1:1,guest:guest@"
                  f"127.0.0.1:{port}/"), sleep=lambda _: None)
    bootstrap.wait_for_broker(_Conf("fake://"))


def test_metadata_port_in_use_names_the_metadata_options(nimbus_conf):
    from unittest import mock

    from nimbus.cli.daemons import metadata as metadata_daemon
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        nimbus_conf.set_override("metadata_host", "127.0.0.1", "network")
        nimbus_conf.set_override("metadata_port", port, "network")
        server = metadata_daemon.build(nimbus_conf, mock.Mock())
        with pytest.raises(exception.ConfigError) as info:
            server.start()
    assert f"127.0.0.1:{port} ([network] metadata_host/metadata_port)" \
        in str(info.value)
