"""nimbus.api: the WSGI application serving every enabled API dialect."""
