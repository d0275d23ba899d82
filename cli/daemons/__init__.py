"""Entry points of the nimbus daemons."""
