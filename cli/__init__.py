"""nimbus.cli."""
