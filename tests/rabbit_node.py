"""A private RabbitMQ node with AMQP 1.0, for tests that stop the broker.

The shared broker on 5672 serves every other test at the same time, so a
test that kills its broker gets its own node: its own node name, AMQP and
distribution ports on 127.0.0.1, data and log directories, plugin file
(``rabbitmq_amqp1_0`` only) and Erlang cookie, all in a temporary
directory. :meth:`PrivateRabbit.kill` and :meth:`PrivateRabbit.start` stop
and restart that node by PID (its data directory survives, as after a
crash); :func:`private_rabbit` removes it at the end even when the test
fails. The shared epmd is used, never stopped.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from tests.conftest import free_port

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


class PrivateRabbit:
    def __init__(self, base, tls=None):
        """``tls``: ``(ca, cert, key)`` PEM paths to also listen with TLS
        on :attr:`tls_port`."""
        self.base = base
        self.name = f"nimbusq{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.tls_port = free_port() if tls else None
        self.proc = None
        self.starts = 0
        os.makedirs(f"{base}/home", mode=0o700)
        with open(f"{base}/enabled_plugins", "w") as f:
            f.write("[rabbitmq_amqp1_0].\n")
        with open(f"{base}/rabbitmq.conf", "w") as f:
            f.write(f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
                    "loopback_users.guest = true\n")
            if tls:
                ca, cert, key = tls
                f.write(f"listeners.ssl.default = 127.0.0.1:{self.tls_port}\n"
                        f"ssl_options.cacertfile = {ca}\n"
                        f"ssl_options.certfile = {cert}\n"
                        f"ssl_options.keyfile = {key}\n"
                        "ssl_options.verify = verify_none\n"
                        "ssl_options.fail_if_no_peer_cert = false\n")
        self.env = dict(
            os.environ,
            HOME=f"{base}/home",
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_CONF_ENV_FILE=f"{base}/no-env.conf",
            RABBITMQ_CONFIG_FILE=f"{base}/rabbitmq.conf",
            RABBITMQ_ADVANCED_CONFIG_FILE=f"{base}/advanced.config",
            RABBITMQ_ENABLED_PLUGINS_FILE=f"{base}/enabled_plugins",
            RABBITMQ_MNESIA_BASE=f"{base}/mnesia",
            RABBITMQ_LOG_BASE=f"{base}/log",
            RABBITMQ_PID_FILE=f"{base}/node.pid",
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=(
                "-kernel inet_dist_use_interface {127,0,0,1}"),
            ERL_EPMD_ADDRESS="127.0.0.1",
        )

    @property
    def url(self):
        return f"guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout=90):
        """Start the node and wait until it speaks AMQP 1.0."""
        log = open(f"{self.base}/console-{self.starts}.log", "wb")
        self.starts += 1
        self.proc = subprocess.Popen(
            [SERVER], env=self.env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"private RabbitMQ exited ({self.proc.returncode}):\n"
                    + self.console())
            if self._amqp1_ready():
                return
            time.sleep(0.3)
        raise AssertionError("private RabbitMQ did not come up:\n"
                             + self.console())

    def _amqp1_ready(self):
        from proton.utils import BlockingConnection
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.5):
                pass
            conn = BlockingConnection(
                f"amqp://127.0.0.1:{self.port}", user="guest",
                password="guest", allowed_mechs="PLAIN",
                allow_insecure_mechs=True, timeout=3)
            conn.close()
            return True
        except Exception:
            return False

    def kill(self, sig=signal.SIGKILL):
        """Stop the node abruptly, as a crash would: SIGKILL to the
        process group of the server script this helper started."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def ctl(self, *args):
        return subprocess.run(
            ["/usr/lib/rabbitmq/bin/rabbitmqctl", "-q", "-n", self.name, *args], env=self.env,
            check=True, capture_output=True, text=True, timeout=60).stdout

    def console(self):
        out = []
        for i in range(self.starts):
            path = f"{self.base}/console-{i}.log"
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    out.append(f.read()[-4000:])
        return "\n".join(out)


def make_tls_files(directory, hostname="localhost"):
    """A throw-away CA and a server certificate for ``hostname`` signed
    by it; returns ``(ca, cert, key)`` paths."""
    d = str(directory)

    def ssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True,
                       timeout=60)
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=nimbus-test-ca", "-keyout", f"{d}/ca.key",
        "-out", f"{d}/ca.pem")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={hostname}",
        "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr")
    with open(f"{d}/san.ext", "w") as f:
        f.write(f"subjectAltName=DNS:{hostname},IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem",
        "-CAkey", f"{d}/ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", f"{d}/san.ext", "-out", f"{d}/server.pem")
    return f"{d}/ca.pem", f"{d}/server.pem", f"{d}/server.key"


@contextlib.contextmanager
def private_rabbit(tls=False):
    """Yield a started :class:`PrivateRabbit` (with a TLS listener and
    its CA in :attr:`PrivateRabbit.ca` if ``tls``); kill and delete it
    after."""
    base = tempfile.mkdtemp(prefix="nimbus-rabbit-")
    files = make_tls_files(base) if tls else None
    node = PrivateRabbit(base, files)
    node.ca = files[0] if files else None
    try:
        node.start()
        yield node
    finally:
        node.kill()
        shutil.rmtree(base, ignore_errors=True)
