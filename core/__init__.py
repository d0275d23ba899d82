"""nimbus.core."""
