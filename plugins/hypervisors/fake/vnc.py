"""A stand-in VNC server for fake guests: it greets each client with the
RFB protocol banner, as a real VNC server does, and then reads until the
client goes. The console proxy and its clients thus talk to a real TCP
peer; one server per fake host serves every guest of that host."""

import socket
import threading

BANNER = b"RFB 003.008\n"


class FakeVncServer:
    """Listens on ``127.0.0.1`` (any free port) once :meth:`start` ran."""

    def __init__(self):
        self._sock = None
        self._lock = threading.Lock()

    @property
    def port(self):
        return self._sock.getsockname()[1]

    def start(self):
        """Start listening (idempotent); return the port."""
        with self._lock:
            if self._sock is None:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind(("127.0.0.1", 0))
                sock.listen(16)
                self._sock = sock
                threading.Thread(target=self._accept, args=(sock,),
                                 name="fake-vnc", daemon=True).start()
        return self.port

    def stop(self):
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _accept(self, sock):
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._greet, args=(conn,),
                             name="fake-vnc-client", daemon=True).start()

    @staticmethod
    def _greet(conn):
        with conn:
            try:
                conn.sendall(BANNER)
                while conn.recv(4096):
                    pass
            except OSError:
                pass
