"""nimbus.api."""
