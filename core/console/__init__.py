"""Remote consoles: the websocket proxy between clients and guests."""
