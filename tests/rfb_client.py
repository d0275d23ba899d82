"""What a noVNC client does first, for tests: open the console URL's
websocket on the proxy and read the VNC server's RFB banner.

The handshake is written out here (a few lines of RFC 6455) because the
token travels in the request's query string, which websockify's own
client drops.
"""

import base64
import os
import socket
import urllib.parse


class Refused(Exception):
    """The proxy answered the upgrade with an HTTP error."""

    def __init__(self, status, text):
        super().__init__(f"{status}: {text}")
        self.status = status


def websocket_path(console_url):
    """The websocket path a noVNC page at ``console_url`` opens (its
    ``path`` parameter), and the proxy's ``(host, port)``."""
    url = urllib.parse.urlparse(console_url)
    path = urllib.parse.parse_qs(url.query)["path"][0]
    return "/" + path.lstrip("/"), (url.hostname, url.port)


def read_banner(address, path, timeout=10, origin=None):
    """Upgrade ``GET path`` to a websocket on ``address`` and return the
    first 12 bytes the console server sends (``b"RFB 003.008\\n"``).

    :raises Refused: the proxy answered with a status other than 101.
    """
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {address[0]}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: binary\r\n" +
                      (f"Origin: {origin}\r\n" if origin else "") +
                      "\r\n").encode())
        reader = sock.makefile("rb")
        status_line = reader.readline().decode()
        status = int(status_line.split()[1])
        headers = []
        while (line := reader.readline()) not in (b"\r\n", b""):
            headers.append(line)
        if status != 101:
            raise Refused(status, status_line.strip())
        data = b""
        while len(data) < 12:
            data += _frame(reader)
        return data[:12]


def _frame(reader):
    """The payload of one unmasked server frame."""
    head = reader.read(2)
    if len(head) < 2:
        raise EOFError("the proxy closed the websocket")
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(reader.read(2), "big")
    elif length == 127:
        length = int.from_bytes(reader.read(8), "big")
    payload = reader.read(length)
    if opcode == 0x8:
        raise EOFError(f"the proxy closed the websocket: {payload!r}")
    return payload
